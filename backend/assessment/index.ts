import { log } from '../observability/logger';
import { type AssessmentEngine, BuiltInAssessmentEngine } from './engine';
import { type HttpRequester, HttpAssessmentEngine } from './http-assessment-engine';

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
}

/** Picks the engine from configuration and says which one, once, at start-up. */
export function createAssessmentEngine(opts: CreateAssessmentEngineOptions): AssessmentEngine {
  if (!opts.apiUrl) {
    log().info({ assessment_engine: 'built-in' }, 'assessment engine: built-in deterministic engine (ASSESSMENT_API_URL unset)');
    return new BuiltInAssessmentEngine();
  }
  if (!opts.http) throw new Error('createAssessmentEngine: ASSESSMENT_API_URL is set but no outbound HTTP client was given');
  if (!opts.token) log().warn({ assessment_engine: 'http' }, 'assessment engine: ASSESSMENT_API_TOKEN unset, calling the API without a bearer token');
  // Origin only: a URL could carry credentials in its userinfo or query.
  log().info({ assessment_engine: 'http', assessment_api: new URL(opts.apiUrl).origin }, 'assessment engine: Phase 2 assessment API');
  return new HttpAssessmentEngine({ baseUrl: opts.apiUrl, token: opts.token, http: opts.http });
}
