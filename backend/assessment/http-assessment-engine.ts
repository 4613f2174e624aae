import type { z } from 'zod';
import { CertificationProfile, CourseOutlines, GapAnalysis, GeneratedAssessment, TrainingPlan } from '../../shared/contracts/assessment';
import type { ServiceName } from '../observability/metrics';
import { PermanentError } from '../errors';
import { ASSESSMENT_API_PATHS, CertificationList } from './api-contract';
import {
  AnalyzeGapsInput,
  type AssessmentEngine,
  BuildCourseOutlinesInput,
  BuildTrainingPlanInput,
  GenerateAssessmentInput,
} from './engine';
import { parseInput } from './validation';

/**
 * Structural copy of the project's outbound client API (backend/integration/http-client.ts), so this
 * module does not depend on it: anything with this `request` method can carry the calls.
 * The requester validates the response with `schema`, and throws TransientError/PermanentError.
 */
export interface OutboundRequest {
  service: ServiceName;
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  timeoutMs?: number;
}

export interface HttpRequester {
  request<T>(req: OutboundRequest, schema: z.ZodType<T>): Promise<T>;
}

export interface HttpAssessmentEngineOptions {
  /** Base URL of the Phase 2 API, e.g. https://assess.example.com (no trailing /v1). */
  baseUrl: string;
  /** Bearer token; omitted from requests when unset. */
  token?: string;
  http: HttpRequester;
  /** Per-request timeout; generation and outlines can be slow on the remote side. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Pulls the API error code and HTTP status out of what the outbound client attached to a
 * PermanentError. OutboundHttpClient sets `details: { status, code }` (code from the documented
 * `{ error: { code } }` body); a raw body under `details.body` is understood too.
 */
function remoteError(err: PermanentError): { code?: string; status?: number } {
  const details = err.details as Record<string, unknown> | undefined;
  if (!details || typeof details !== 'object') return {};
  const body = details.body as { error?: { code?: unknown } } | undefined;
  const code = typeof details.code === 'string' ? details.code : typeof body?.error?.code === 'string' ? body.error.code : undefined;
  const rawStatus = details.status ?? details.statusCode;
  return { code, status: typeof rawStatus === 'number' ? rawStatus : undefined };
}

/** The Phase 2 API behind the AssessmentEngine interface. Inputs are validated before any call. */
export class HttpAssessmentEngine implements AssessmentEngine {
  private readonly baseUrl: string;
  private readonly token?: string;
  private readonly http: HttpRequester;
  private readonly timeoutMs: number;

  constructor(opts: HttpAssessmentEngineOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.http = opts.http;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private async call<T>(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    extra: { body?: unknown; idempotencyKey?: string; certificationId?: string; notFoundIsUnknownCertification?: boolean } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    try {
      return await this.http.request(
        {
          service: 'assessment_api',
          operation,
          method,
          url: `${this.baseUrl}${path}`,
          body: extra.body,
          headers,
          idempotencyKey: extra.idempotencyKey,
          timeoutMs: this.timeoutMs,
        },
        schema,
      );
    } catch (err) {
      // Normalise "unknown certification" so callers see the same reason as from the built-in engine.
      if (err instanceof PermanentError && err.reason !== 'unknown_certification') {
        const { code, status } = remoteError(err);
        // A bare 404 only means that on GET /v1/certifications/:id; elsewhere it is more likely a wrong base URL.
        if (code === 'unknown_certification' || (status === 404 && extra.notFoundIsUnknownCertification)) {
          throw new PermanentError(`unknown certification '${extra.certificationId ?? '?'}'`, {
            reason: 'unknown_certification',
            details: err.details,
            cause: err,
          });
        }
      }
      throw err;
    }
  }

  async listProfiles(): Promise<CertificationProfile[]> {
    const list = await this.call('list_certifications', 'GET', ASSESSMENT_API_PATHS.certifications, CertificationList);
    return list.certifications;
  }

  async getProfile(certificationId: string): Promise<CertificationProfile> {
    return this.call('get_certification', 'GET', ASSESSMENT_API_PATHS.certification(certificationId), CertificationProfile, {
      certificationId,
      notFoundIsUnknownCertification: true,
    });
  }

  async generateAssessment(input: GenerateAssessmentInput): Promise<GeneratedAssessment> {
    const body = parseInput(GenerateAssessmentInput, input, 'generateAssessment input');
    return this.call('generate_assessment', 'POST', ASSESSMENT_API_PATHS.assessments, GeneratedAssessment, {
      body,
      certificationId: body.certificationId,
      // Same certification + seed + count = same assessment, so the key may be reused by retries.
      idempotencyKey: `assessment:${body.certificationId}:${body.seed}:${body.questionCount ?? 'default'}`,
    });
  }

  async analyzeGaps(input: AnalyzeGapsInput): Promise<GapAnalysis> {
    const body = parseInput(AnalyzeGapsInput, input, 'analyzeGaps input');
    return this.call('analyze_gaps', 'POST', ASSESSMENT_API_PATHS.gapAnalyses, GapAnalysis, {
      body,
      certificationId: body.assessment.certificationId,
    });
  }

  async buildTrainingPlan(input: BuildTrainingPlanInput): Promise<TrainingPlan> {
    const body = parseInput(BuildTrainingPlanInput, input, 'buildTrainingPlan input');
    return this.call('build_training_plan', 'POST', ASSESSMENT_API_PATHS.trainingPlans, TrainingPlan, {
      body,
      certificationId: body.certificationId,
    });
  }

  async buildCourseOutlines(input: BuildCourseOutlinesInput): Promise<CourseOutlines> {
    const body = parseInput(BuildCourseOutlinesInput, input, 'buildCourseOutlines input');
    const outlines = await this.call('build_course_outlines', 'POST', ASSESSMENT_API_PATHS.courseOutlines, CourseOutlines, {
      body,
      certificationId: body.certificationId,
    });
    // The workflow relies on the requested shape; a remote that ignores it breaks the contract.
    if (outlines.courses.length !== body.courseCount || outlines.courses.some((c) => c.slides.length !== body.slidesPerCourse)) {
      throw new PermanentError(`course outlines do not match the requested ${body.courseCount} x ${body.slidesPerCourse} slides`, {
        reason: 'contract_violation',
      });
    }
    return outlines;
  }
}
