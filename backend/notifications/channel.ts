import type { ChannelName } from './templates';

export type { ChannelName } from './templates';

/** One queued message as a channel sends it. `recipients` is empty for Slack (the webhook is the destination). */
export interface OutgoingMessage {
  /** The outbox row id: stable across retries, used as the email Message-ID. */
  id: string;
  kind: string;
  recipients: string[];
  subject: string;
  text: string;
}

/**
 * A delivery channel. `send` resolves once the far side accepted the message and throws a
 * TransientError (retry later) or PermanentError (give up) otherwise.
 */
export interface NotificationChannel {
  readonly name: ChannelName;
  /** Strings that must never appear in stored errors or logs (webhook URL, SMTP password). */
  readonly secrets: readonly string[];
  send(message: OutgoingMessage): Promise<void>;
  close(): Promise<void>;
}

/** Stored in `recipient` for Slack rows: the webhook URL is a secret and stays in the config. */
export const SLACK_RECIPIENT = 'slack-webhook';
