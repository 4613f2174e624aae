/** LISTEN/NOTIFY channels (in-process events on PGlite) that wake engine loops without polling delay. */
export const WAKE_CHANNEL = {
  /** A workflow became due (created, event arrived, command completed). */
  workflows: 'presgen_wake_workflows',
  /** Fan-out items were created or finished. */
  fanout: 'presgen_wake_fanout',
  /** New workspace commands for an instructor (payload: owner email). */
  commands: 'presgen_wake_commands',
  /** Notification outbox rows were queued. */
  notifications: 'presgen_wake_notifications',
} as const;
