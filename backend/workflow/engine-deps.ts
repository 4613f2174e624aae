import type { AssessmentEngine } from '../assessment/engine';
import type { Database } from '../db/client';
import type { WorkflowNotification } from '../notifications/notification-schema';
import type { OutboxInsert } from '../notifications/outbox-store';
import type { WorkspaceCommandQueue } from '../workspace/command-queue';
import type { JobClient } from '../integration/job-client';

/** Everything a step handler may use. Built once per process by `createEngineDeps`. */
export interface EngineDeps {
  database: Database;
  assessment: AssessmentEngine;
  commands: WorkspaceCommandQueue;
  presgen: { core: JobClient; avatar: JobClient };
  settings: EngineSettings;
  /** Durable notifications (outbox); optional so the engine runs without a channel configured. */
  notify?: (message: WorkflowNotification) => Promise<void>;
  /**
   * Renders a notification into outbox rows without writing them, so a state change can insert
   * its alert in the same statement (FAILED / NEEDS_ATTENTION checkpoints, the unhandled-error
   * path). Optional: without it those alerts are not queued.
   */
  outboxRows?: (message: WorkflowNotification) => OutboxInsert[];
  now(): Date;
}

export interface EngineSettings {
  completionTimeoutMs: number;
  /** Instructor reminders while the form is unanswered, in ms after it was sent. */
  completionRemindersMs: number[];
  featureAvatarVideos: boolean;
  featurePublicSharing: boolean;
}

export type { WorkflowNotification } from '../notifications/notification-schema';
