import { z } from 'zod';

/**
 * The PresGen APIs as they exist (ymeirovich/presentation_project2, sales-agent-labs/): request
 * and response shapes field for field, shared by the adapters and the simulators so neither can
 * drift from the other. Responses are plain objects (unknown fields stripped, i.e. ignored);
 * a missing required field is a contract violation. docs/integrations/presgen.md has the mapping.
 */

export const PRESGEN_CORE_PATHS = {
  render: '/render',
  trainingPresentationOnly: '/training/presentation-only',
  trainingDownload: (jobId: string) => `/training/download/${encodeURIComponent(jobId)}`,
  healthz: '/healthz',
} as const;

export const PRESGEN_AVATAR_PATHS = {
  generate: '/api/v1/avatar/generate',
  status: (jobId: string) => `/api/v1/avatar/status/${encodeURIComponent(jobId)}`,
} as const;

// ---- PresGen-Core POST /render (synchronous: answers when the Google Slides deck exists) ----

export const RenderRequest = z.object({
  report_text: z.string().refine((s) => s.trim().length > 0, 'report_text cannot be empty'),
  request_id: z.string().optional(),
  slides: z.number().int().default(1),
  use_cache: z.boolean().optional(),
});
export type RenderRequest = z.infer<typeof RenderRequest>;

export const RenderResponse = z.object({
  ok: z.literal(true),
  url: z.url(),
  presentation_id: z.string().nullish(),
  created_slides: z.number().int().nullish(),
  first_slide_id: z.string().nullish(),
});
export type RenderResponse = z.infer<typeof RenderResponse>;

// ---- PresGen-Core POST /training/presentation-only (synchronous narrated slideshow) ----

export const QualityLevel = z.enum(['fast', 'standard', 'high']);

export const TrainingVideoRequest = z.object({
  mode: z.string(),
  voice_profile_name: z.string(),
  content_text: z.string().nullish(),
  content_file_path: z.string().nullish(),
  google_slides_url: z.string().nullish(),
  reference_video_path: z.string().nullish(),
  quality_level: z.string().default('standard'),
  use_cache: z.boolean().default(true),
});
export type TrainingVideoRequest = z.infer<typeof TrainingVideoRequest>;

/** A failure is a 200 with `success: false` and `error`. */
export const TrainingVideoResponse = z.object({
  job_id: z.string(),
  success: z.boolean(),
  output_path: z.string().nullish(),
  /** Relative: `/training/download/{job_id}`. */
  download_url: z.string().nullish(),
  processing_time: z.number().nullish(),
  mode: z.string(),
  total_duration: z.number().nullish(),
  avatar_duration: z.number().nullish(),
  presentation_duration: z.number().nullish(),
  error: z.string().nullish(),
});
export type TrainingVideoResponse = z.infer<typeof TrainingVideoResponse>;

// ---- PresGen-Avatar /api/v1/avatar/* (asynchronous: generate, then poll status) ----

export const AvatarJobStatus = z.enum(['pending', 'running', 'completed', 'failed']);

export const AvatarVoiceConfig = z.object({
  provider: z.string(),
  voice_id: z.string(),
  language: z.string(),
  style: z.string().optional(),
});

export const AvatarGenerateRequest = z.object({
  presentation_url: z.string(),
  mode: z.string(),
  quality: z.string(),
  voice_config: AvatarVoiceConfig,
  metadata: z.record(z.string(), z.unknown()),
});
export type AvatarGenerateRequest = z.infer<typeof AvatarGenerateRequest>;

export const AvatarGenerateResponse = z.object({
  success: z.boolean(),
  job_id: z.string(),
  status: AvatarJobStatus,
  message: z.string().nullish(),
  progress: z.number().min(0).max(100).nullish(),
  video_url: z.string().nullish(),
  estimated_duration_seconds: z.number().nullish(),
});
export type AvatarGenerateResponse = z.infer<typeof AvatarGenerateResponse>;

export const AvatarStatusResponse = z.object({
  job_id: z.string(),
  status: AvatarJobStatus,
  progress: z.number().min(0).max(100).nullish(),
  video_url: z.string().nullish(),
  error_message: z.string().nullish(),
  updated_at: z.string(),
});
export type AvatarStatusResponse = z.infer<typeof AvatarStatusResponse>;

// ---- Error bodies (FastAPI) ----

/** HTTPException: `{detail: "..."}`. */
export const FastApiErrorBody = z.object({ detail: z.string() });
/** RequestValidationError, as PresGen's handler answers it (422). */
export const FastApiValidationBody = z.object({ detail: z.array(z.unknown()), message: z.literal('Validation failed') });
