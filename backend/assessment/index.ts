import { log } from '../observability/logger';
import { type AssessmentEngine, BuiltInAssessmentEngine } from './engine';
import { type HttpRequester, HttpAssessmentEngine } from './http-assessment-engine';
import { PresgenAssessQuestionEngine } from './presgen-assess-question-engine';

export * from './engine';
export { HttpAssessmentEngine, type HttpRequester, type OutboundRequest } from './http-assessment-engine';
export { BUILT_IN_CATALOG } from './catalog';
export { SEVERITY_THRESHOLDS, SEVERITY_WEIGHT, RECOMMENDED_MINUTES } from './severity';

export interface CreateAssessmentEngineOptions {
  /** ASSESSMENT_API_URL; unset selects the built-in engine. */
  apiUrl?: string;
  /** ASSESSMENT_API_TOKEN. */
  token?: string;
  /** The project's outbound client; required when apiUrl is set. */
  http?: HttpRequester;
  /** ASSESSMENT_API_PROTOCOL (default `project`). */
  protocol?: 'project' | 'presgen-assess';
  /** presgen-assess: certification id -> profile UUID, and the difficulty level sent. */
  profileIds?: Record<string, string>;
  difficultyLevel?: string;
}

/** Picks the engine from configuration and says which one, once, at start-up. */
export function createAssessmentEngine(opts: CreateAssessmentEngineOptions): AssessmentEngine {
  if (!opts.apiUrl) {
    log().info({ assessment_engine: 'built-in' }, 'assessment engine: built-in deterministic engine (ASSESSMENT_API_URL unset)');
    return new BuiltInAssessmentEngine();
  }
  if (!opts.http) throw new Error('createAssessmentEngine: ASSESSMENT_API_URL is set but no outbound HTTP client was given');
  if (!opts.token)
    log().warn({ assessment_engine: 'http' }, 'assessment engine: ASSESSMENT_API_TOKEN unset, calling the API without a bearer token');
  // Origin only: a URL could carry credentials in its userinfo or query.
  if (opts.protocol === 'presgen-assess') {
    log().info(
      { assessment_engine: 'presgen-assess', assessment_api: new URL(opts.apiUrl).origin, profiles: Object.keys(opts.profileIds ?? {}) },
      'assessment engine: PresGen-Assess question generator (step 2), built-in engine for the rest',
    );
    return new PresgenAssessQuestionEngine({
      baseUrl: opts.apiUrl,
      token: opts.token,
      http: opts.http,
      profileIds: opts.profileIds ?? {},
      difficultyLevel: opts.difficultyLevel ?? 'intermediate',
    });
  }
  log().info({ assessment_engine: 'http', assessment_api: new URL(opts.apiUrl).origin }, 'assessment engine: Phase 2 assessment API');
  return new HttpAssessmentEngine({ baseUrl: opts.apiUrl, token: opts.token, http: opts.http });
}
