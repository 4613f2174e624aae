import { z } from 'zod';
import { CertificationProfile } from '../../shared/contracts/assessment';

/**
 * The Phase 2 assessment and gap-analysis API, as this backend calls it
 * (docs/integrations/assessment-api.md). Request bodies are the engine inputs in engine.ts;
 * response bodies are the shared schemas in shared/contracts/assessment.ts.
 */

export const ASSESSMENT_API_PATHS = {
  certifications: '/v1/certifications',
  certification: (id: string) => `/v1/certifications/${encodeURIComponent(id)}`,
  assessments: '/v1/assessments',
  gapAnalyses: '/v1/gap-analyses',
  trainingPlans: '/v1/training-plans',
  courseOutlines: '/v1/course-outlines',
} as const;

export const CertificationList = z.object({ certifications: z.array(CertificationProfile) });
export type CertificationList = z.infer<typeof CertificationList>;

/** Every non-2xx response carries this body. `code` is machine-readable, e.g. 'unknown_certification'. */
export const AssessmentApiErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type AssessmentApiErrorBody = z.infer<typeof AssessmentApiErrorBody>;

/** Error codes the API uses, with their HTTP status. */
export const ASSESSMENT_API_ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  unknown_certification: 404,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
