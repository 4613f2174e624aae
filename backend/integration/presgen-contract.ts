import { z } from 'zod';
import { Slide } from '../../shared/contracts/assessment';

/**
 * The PresGen job contract (docs/integrations/presgen.md), shared by the Core and Avatar clients
 * and by the simulators, so the client and the fake cannot drift apart. Requests are strict
 * (an unknown field is a 400 naming it); responses strip unknown fields (forward compatible).
 */

export const PRESGEN_PATHS = {
  presentations: '/v1/presentations',
  videos: '/v1/videos',
  job: (jobId: string) => `/v1/jobs/${encodeURIComponent(jobId)}`,
  cancel: (jobId: string) => `/v1/jobs/${encodeURIComponent(jobId)}/cancel`,
} as const;

export const IDEMPOTENCY_KEY = z.string().min(1).max(255);

export const JobState = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;
export const TERMINAL_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export const JobError = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });
export type JobError = z.infer<typeof JobError>;

const JobMetadata = z.object({ workflowId: z.string().min(1).max(200), course: z.number().int().min(1).max(5) }).strict();

export const CreatePresentationRequest = z
  .object({
    title: z.string().min(1).max(300),
    slides: z.array(Slide).min(1).max(40),
    metadata: JobMetadata.optional(),
  })
  .strict();
export type CreatePresentationRequest = z.infer<typeof CreatePresentationRequest>;

export const CreateVideoRequest = z
  .object({
    title: z.string().min(1).max(300),
    presentationUrl: z.url(),
    /** Speaker notes, one entry per slide. */
    script: z.array(z.string().max(10_000)).min(1).max(40),
    avatar: z.string().min(1).max(100).optional(),
    metadata: JobMetadata.optional(),
  })
  .strict();
export type CreateVideoRequest = z.infer<typeof CreateVideoRequest>;

/** Answer to submit (202 new job, 200 existing job for the same key) and to cancel. */
export const JobAccepted = z.object({ jobId: z.string().min(1), status: JobState });
export type JobAccepted = z.infer<typeof JobAccepted>;

export const PresentationResult = z.object({ url: z.url(), slideCount: z.number().int().min(0) });
export type PresentationResult = z.infer<typeof PresentationResult>;

export const VideoResult = z.object({ url: z.url(), durationSeconds: z.number().min(0) });
export type VideoResult = z.infer<typeof VideoResult>;

/** GET /v1/jobs/:jobId. A succeeded job must carry its result, a failed one its error. */
function jobStatusSchema<R extends z.ZodType>(result: R) {
  return z
    .object({
      jobId: z.string().min(1),
      status: JobState,
      progress: z.number().min(0).max(1).optional(),
      result: result.optional(),
      error: JobError.optional(),
    })
    .superRefine((job, ctx) => {
      if (job.status === 'succeeded' && job.result === undefined) {
        ctx.addIssue({ code: 'custom', path: ['result'], message: 'a succeeded job must carry a result' });
      }
      if (job.status === 'failed' && job.error === undefined) {
        ctx.addIssue({ code: 'custom', path: ['error'], message: 'a failed job must carry an error' });
      }
    });
}

export const PresentationJobStatus = jobStatusSchema(PresentationResult);
export type PresentationJobStatus = z.infer<typeof PresentationJobStatus>;

export const VideoJobStatus = jobStatusSchema(VideoResult);
export type VideoJobStatus = z.infer<typeof VideoJobStatus>;

/** Every non-2xx answer. */
export const PresgenErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type PresgenErrorBody = z.infer<typeof PresgenErrorBody>;
