import { z } from 'zod';
import type { CertificationProfile, GeneratedAssessment } from '../../shared/contracts/assessment';
import { PermanentError } from '../errors';
import { type AssessmentEngine, BuiltInAssessmentEngine, GenerateAssessmentInput } from './engine';
import type { HttpRequester } from './http-assessment-engine';
import { parseInput } from './validation';

/**
 * PresGen-Assess's real question-generation endpoint (ymeirovich/presentation_project2,
 * presgen-assess/src/service/api/v1/endpoints/ai_question_generation.py, mounted under
 * `/api/v1/ai-question-generator`): ASSESSMENT_API_PROTOCOL=presgen-assess.
 *
 * Only question generation exists there, so this engine generates the questions remotely and
 * leaves profiles, gap analysis, training plans and outlines to the built-in engine (the real
 * questions name a domain, not a skill: each question is given one of its domain's skills in turn,
 * so skill-level gaps are an approximation). Certification ids become the service's profile UUIDs
 * by configuration (ASSESSMENT_PROFILE_IDS). docs/integrations/assessment-api.md.
 */

export const PRESGEN_ASSESS_GENERATE_PATH = '/api/v1/ai-question-generator/generate';

export const QuestionGenerationRequest = z.object({
  certification_profile_id: z.uuid(),
  user_profile: z.string(),
  difficulty_level: z.string().default('intermediate'),
  domain_distribution: z.record(z.string(), z.number().int()),
  question_count: z.number().int().default(24),
});
export type QuestionGenerationRequest = z.infer<typeof QuestionGenerationRequest>;

export const GeneratedQuestion = z.object({
  id: z.string(),
  question_text: z.string().min(1),
  question_type: z.string().optional(),
  /** "A) …", "B) …": the letter prefix is stripped. */
  options: z.array(z.string().min(1)).min(2).max(6),
  /** The letter of the correct option ("A"), or its full text. */
  correct_answer: z.string().min(1),
  domain: z.string(),
  difficulty: z.string().optional(),
});

export const QuestionGenerationResponse = z.object({
  success: z.boolean(),
  assessment_data: z.object({ questions: z.array(GeneratedQuestion), metadata: z.record(z.string(), z.unknown()) }),
  message: z.string().optional(),
});
export type QuestionGenerationResponse = z.infer<typeof QuestionGenerationResponse>;

export interface PresgenAssessEngineOptions {
  baseUrl: string;
  token?: string;
  http: HttpRequester;
  /** certification id → PresGen-Assess certification profile UUID. */
  profileIds: Record<string, string>;
  difficultyLevel: string;
  timeoutMs?: number;
}

const OPTION_PREFIX = /^\s*([A-Fa-f])[).:]\s+/;

export class PresgenAssessQuestionEngine implements AssessmentEngine {
  private readonly builtIn = new BuiltInAssessmentEngine();
  private readonly baseUrl: string;

  constructor(private readonly opts: PresgenAssessEngineOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  listProfiles = () => this.builtIn.listProfiles();
  getProfile = (id: string) => this.builtIn.getProfile(id);
  analyzeGaps: AssessmentEngine['analyzeGaps'] = (input) => this.builtIn.analyzeGaps(input);
  buildTrainingPlan: AssessmentEngine['buildTrainingPlan'] = (input) => this.builtIn.buildTrainingPlan(input);
  buildCourseOutlines: AssessmentEngine['buildCourseOutlines'] = (input) => this.builtIn.buildCourseOutlines(input);

  async generateAssessment(input: GenerateAssessmentInput): Promise<GeneratedAssessment> {
    const { certificationId, seed, questionCount = 24 } = parseInput(GenerateAssessmentInput, input, 'generateAssessment input');
    const profile = await this.builtIn.getProfile(certificationId);
    const profileId = this.opts.profileIds[certificationId];
    if (!profileId) {
      throw new PermanentError(`ASSESSMENT_PROFILE_IDS has no PresGen-Assess profile UUID for certification '${certificationId}'`, {
        reason: 'unknown_certification',
      });
    }
    const body: QuestionGenerationRequest = {
      certification_profile_id: profileId,
      // An opaque id, never the learner's email: the workflow id the assessment is seeded by.
      user_profile: seed,
      difficulty_level: this.opts.difficultyLevel,
      domain_distribution: domainDistribution(profile, questionCount),
      question_count: questionCount,
    };
    const res = await this.opts.http.request(
      {
        service: 'assessment_api',
        operation: 'generate_assessment',
        method: 'POST',
        url: `${this.baseUrl}${PRESGEN_ASSESS_GENERATE_PATH}`,
        body,
        headers: this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : undefined,
        timeoutMs: this.opts.timeoutMs ?? 120_000,
      },
      QuestionGenerationResponse,
    );
    if (!res.success)
      throw new PermanentError(`PresGen-Assess question generation said success: false: ${res.message ?? ''}`.trim(), {
        reason: 'contract_violation',
      });
    return toAssessment(profile, res);
  }
}

/** Questions per domain by exam weight, largest remainders first, summing to `count`; keyed by domain name. */
export function domainDistribution(profile: CertificationProfile, count: number): Record<string, number> {
  const exact = profile.domains.map((d) => ({ name: d.name, exact: d.weight * count }));
  const counts = exact.map((e) => Math.floor(e.exact));
  let left = count - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, rest: e.exact - Math.floor(e.exact) })).sort((a, b) => b.rest - a.rest);
  for (const { i } of order) {
    if (left <= 0) break;
    counts[i] += 1;
    left -= 1;
  }
  return Object.fromEntries(exact.map((e, i) => [e.name, counts[i]]));
}

function toAssessment(profile: CertificationProfile, res: QuestionGenerationResponse): GeneratedAssessment {
  const byName = new Map(profile.domains.map((d) => [d.name.toLowerCase(), d]));
  const perDomain = new Map<string, number>();
  const answerKey: Record<string, number> = {};
  const questions = res.assessment_data.questions.map((q, n) => {
    const domain = byName.get(q.domain.toLowerCase()) ?? profile.domains.find((d) => d.id === q.domain);
    if (!domain)
      throw new PermanentError(`question ${n}: domain '${q.domain.slice(0, 100)}' is not in profile ${profile.id}`, {
        reason: 'contract_violation',
      });
    const seen = perDomain.get(domain.id) ?? 0;
    perDomain.set(domain.id, seen + 1);
    const choices = q.options.map((o) => o.replace(OPTION_PREFIX, '').trim());
    const letter = /^[A-Fa-f]$/.test(q.correct_answer.trim()) ? q.correct_answer.trim().toUpperCase().charCodeAt(0) - 65 : -1;
    const correct = letter >= 0 ? letter : choices.indexOf(q.correct_answer.replace(OPTION_PREFIX, '').trim());
    if (correct < 0 || correct >= choices.length)
      throw new PermanentError(`question ${n}: correct_answer does not name an option`, { reason: 'contract_violation' });
    const id = `q${n + 1}`;
    answerKey[id] = correct;
    return { id, domainId: domain.id, skillId: domain.skills[seen % domain.skills.length].id, prompt: q.question_text, choices, points: 1 };
  });
  if (questions.length === 0) throw new PermanentError('PresGen-Assess returned no questions', { reason: 'contract_violation' });
  return { certificationId: profile.id, title: `${profile.name} assessment`, questions, answerKey };
}
