import { z } from 'zod';
import type { OutboundHttpClient } from '../integration/http-client';
import type { NotificationChannel, OutgoingMessage } from './channel';

/**
 * Slack incoming webhook. Goes through the one outbound HTTP client (timeouts, in-request retries,
 * the `slack` circuit breaker, metrics, sanitised logs). The webhook answers a plain-text `ok`;
 * 5xx/429/timeouts come back as TransientError, other 4xx (`invalid_payload`, `no_service`) as
 * PermanentError. The URL's path is its secret, so the client logs only its host.
 */
export class SlackWebhookChannel implements NotificationChannel {
  readonly name = 'slack' as const;
  readonly secrets: readonly string[];

  constructor(
    private readonly webhookUrl: string,
    private readonly http: OutboundHttpClient,
  ) {
    const path = new URL(webhookUrl).pathname;
    this.secrets = [webhookUrl, ...(path.length > 1 ? [path] : [])];
  }

  async send(message: OutgoingMessage): Promise<void> {
    await this.http.request(
      {
        service: 'slack',
        operation: 'post_message',
        method: 'POST',
        url: this.webhookUrl,
        body: { text: message.text },
        responseType: 'text',
        secretUrl: true,
      },
      z.string(),
    );
  }

  async close(): Promise<void> {}
}
