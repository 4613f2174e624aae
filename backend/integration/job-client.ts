/**
 * What the fan-out worker needs of a PresGen service, whichever protocol speaks to it (the job
 * contract, the real synchronous APIs, the content cache in front of either): submit under an
 * idempotency key, poll, cancel.
 */
export interface JobClient {
  submit(input: never, idempotencyKey: string): Promise<{ jobId: string; status: string }>;
  pollStatus(jobId: string): Promise<{ status: string; result?: unknown; error?: { code: string; message: string; retryable: boolean } }>;
  cancel(jobId: string): Promise<unknown>;
}
