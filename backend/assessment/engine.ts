import { z } from 'zod';
import {
  CertificationProfile,
  CourseOutlines,
  GapAnalysis,
  GeneratedAssessment,
  LearnerAnswer,
  TrainingPlan,
} from '../../shared/contracts/assessment';
import { analyzeGapsForProfile } from './analyze-gaps';
import { BUILT_IN_CATALOG, type CatalogEntry, findCatalogEntry } from './catalog';
import { buildOutlinesFromCatalog } from './course-outlines';
import { generateFromBank } from './generate-assessment';
import { buildPlanForProfile } from './training-plan';
import { parseInput, parseOutput } from './validation';

/**
 * What the workflow needs from an assessment engine (steps 2, 5, 7, 8). Two implementations:
 * BuiltInAssessmentEngine (deterministic, in-process, the default) and HttpAssessmentEngine
 * (the Phase 2 API, docs/integrations/assessment-api.md). Both throw PermanentError for bad input
 * and unknown certifications (reason 'unknown_certification').
 */
export interface AssessmentEngine {
  listProfiles(): Promise<CertificationProfile[]>;
  getProfile(certificationId: string): Promise<CertificationProfile>;
  generateAssessment(input: GenerateAssessmentInput): Promise<GeneratedAssessment>;
  analyzeGaps(input: AnalyzeGapsInput): Promise<GapAnalysis>;
  buildTrainingPlan(input: BuildTrainingPlanInput): Promise<TrainingPlan>;
  buildCourseOutlines(input: BuildCourseOutlinesInput): Promise<CourseOutlines>;
}

/** Inputs of the engine operations; they are also the Phase 2 API request bodies. */
export const GenerateAssessmentInput = z.object({
  certificationId: z.string().min(1).max(100),
  seed: z.string().min(1).max(200),
  questionCount: z.number().int().min(1).max(200).optional(),
});
export type GenerateAssessmentInput = z.infer<typeof GenerateAssessmentInput>;

export const AnalyzeGapsInput = z.object({
  assessment: GeneratedAssessment,
  answers: z.array(LearnerAnswer).max(1000),
});
export type AnalyzeGapsInput = z.infer<typeof AnalyzeGapsInput>;

export const BuildTrainingPlanInput = z.object({
  certificationId: z.string().min(1).max(100),
  gaps: GapAnalysis,
});
export type BuildTrainingPlanInput = z.infer<typeof BuildTrainingPlanInput>;

export const BuildCourseOutlinesInput = z.object({
  certificationId: z.string().min(1).max(100),
  plan: TrainingPlan,
  gaps: GapAnalysis,
  courseCount: z.number().int().min(1).max(5),
  slidesPerCourse: z.number().int().min(1).max(40),
});
export type BuildCourseOutlinesInput = z.infer<typeof BuildCourseOutlinesInput>;

/**
 * The deterministic engine: profiles and question banks shipped as data, no LLM, no I/O.
 * Same input, same output, on every replica — so a retried step reproduces its result.
 */
export class BuiltInAssessmentEngine implements AssessmentEngine {
  constructor(private readonly catalog: readonly CatalogEntry[] = BUILT_IN_CATALOG) {}

  async listProfiles(): Promise<CertificationProfile[]> {
    return this.catalog.map((e) => parseOutput(CertificationProfile, e.profile, 'profile'));
  }

  async getProfile(certificationId: string): Promise<CertificationProfile> {
    const id = parseInput(z.string().min(1), certificationId, 'certificationId');
    return parseOutput(CertificationProfile, findCatalogEntry(this.catalog, id).profile, 'profile');
  }

  async generateAssessment(input: GenerateAssessmentInput): Promise<GeneratedAssessment> {
    const { certificationId, seed, questionCount } = parseInput(GenerateAssessmentInput, input, 'generateAssessment input');
    const entry = findCatalogEntry(this.catalog, certificationId);
    return parseOutput(GeneratedAssessment, generateFromBank(entry, seed, questionCount), 'generated assessment');
  }

  async analyzeGaps(input: AnalyzeGapsInput): Promise<GapAnalysis> {
    const { assessment, answers } = parseInput(AnalyzeGapsInput, input, 'analyzeGaps input');
    const { profile } = findCatalogEntry(this.catalog, assessment.certificationId);
    return parseOutput(GapAnalysis, analyzeGapsForProfile(profile, assessment, answers), 'gap analysis');
  }

  async buildTrainingPlan(input: BuildTrainingPlanInput): Promise<TrainingPlan> {
    const { certificationId, gaps } = parseInput(BuildTrainingPlanInput, input, 'buildTrainingPlan input');
    const { profile } = findCatalogEntry(this.catalog, certificationId);
    return parseOutput(TrainingPlan, buildPlanForProfile(profile, gaps), 'training plan');
  }

  async buildCourseOutlines(input: BuildCourseOutlinesInput): Promise<CourseOutlines> {
    const { certificationId, plan, gaps, courseCount, slidesPerCourse } = parseInput(
      BuildCourseOutlinesInput,
      input,
      'buildCourseOutlines input',
    );
    const entry = findCatalogEntry(this.catalog, certificationId);
    return parseOutput(CourseOutlines, buildOutlinesFromCatalog(entry, plan, gaps, courseCount, slidesPerCourse), 'course outlines');
  }
}
