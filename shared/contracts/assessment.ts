import { z } from 'zod';
import { TEXT_LIMITS, text } from './text';

/** Text from the assessment engine (possibly the Phase 2 API): bounded and storable. */
const Text = () => text(TEXT_LIMITS.text);

/** Domain model of an assessment: produced by the assessment engine (built-in or Phase 2 API). */

export const Severity = z.enum(['critical', 'high', 'medium', 'low', 'none']);
export type Severity = z.infer<typeof Severity>;

export const CertificationDomain = z.object({
  id: Text().min(1),
  name: Text().min(1),
  /** Exam weight, 0..1; the weights of a profile sum to 1. */
  weight: z.number().gt(0).lte(1),
  skills: z.array(z.object({ id: Text().min(1), name: Text().min(1) })).min(1),
});
export type CertificationDomain = z.infer<typeof CertificationDomain>;

export const CertificationProfile = z.object({
  id: Text().min(1),
  name: Text().min(1),
  vendor: Text().min(1),
  /** Share of points needed to pass, 0..1. */
  passingScore: z.number().gt(0).lte(1),
  domains: z.array(CertificationDomain).min(1),
});
export type CertificationProfile = z.infer<typeof CertificationProfile>;

export const AssessmentQuestion = z.object({
  id: Text().min(1),
  domainId: Text().min(1),
  skillId: Text().min(1),
  prompt: Text().min(1),
  choices: z.array(Text().min(1)).min(2).max(6),
  points: z.number().int().min(1).max(10),
});
export type AssessmentQuestion = z.infer<typeof AssessmentQuestion>;

/** Answer key: question id -> index of the correct choice. Never sent to learners. */
export const AnswerKey = z.record(Text(), z.number().int().min(0));
export type AnswerKey = z.infer<typeof AnswerKey>;

export const GeneratedAssessment = z.object({
  certificationId: Text(),
  title: Text(),
  questions: z.array(AssessmentQuestion).min(1),
  answerKey: AnswerKey,
});
export type GeneratedAssessment = z.infer<typeof GeneratedAssessment>;

/** A learner's answer, by question id: the text of the chosen choice (as a Form reports it). */
export const LearnerAnswer = z.object({ questionId: Text().min(1), answer: Text() });
export type LearnerAnswer = z.infer<typeof LearnerAnswer>;

export const SkillGap = z.object({
  domainId: Text(),
  skillId: Text(),
  skillName: Text(),
  score: z.number().min(0).max(1),
  severity: Severity,
});
export type SkillGap = z.infer<typeof SkillGap>;

export const DomainGap = z.object({
  domainId: Text(),
  domainName: Text(),
  weight: z.number(),
  earned: z.number(),
  possible: z.number(),
  score: z.number().min(0).max(1),
  severity: Severity,
});
export type DomainGap = z.infer<typeof DomainGap>;

export const GapAnalysis = z.object({
  certificationId: Text(),
  totalScore: z.number().min(0).max(1),
  passed: z.boolean(),
  /** The certification's pass mark (0..1), for the Gap_Analysis chart; absent in older checkpoints. */
  passingScore: z.number().gt(0).lte(1).optional(),
  answered: z.number().int().min(0),
  correct: z.number().int().min(0),
  domains: z.array(DomainGap),
  skills: z.array(SkillGap),
});
export type GapAnalysis = z.infer<typeof GapAnalysis>;

export const TrainingPlanItem = z.object({
  rank: z.number().int().min(1),
  domainId: Text(),
  skillId: Text(),
  title: Text(),
  severity: Severity,
  /** severity weight x domain weight: what the plan is ranked by. */
  priority: z.number().min(0),
  recommendedMinutes: z.number().int().min(0),
});
export type TrainingPlanItem = z.infer<typeof TrainingPlanItem>;

export const TrainingPlan = z.object({ items: z.array(TrainingPlanItem) });
export type TrainingPlan = z.infer<typeof TrainingPlan>;

export const Slide = z.object({ title: Text(), bullets: z.array(Text()), speakerNotes: Text() });
export type Slide = z.infer<typeof Slide>;

export const CourseOutline = z.object({
  index: z.number().int().min(1).max(5),
  title: Text(),
  domainIds: z.array(Text()),
  slides: z.array(Slide).min(1).max(40),
});
export type CourseOutline = z.infer<typeof CourseOutline>;

export const CourseOutlines = z.object({ courses: z.array(CourseOutline).min(1).max(5) });
export type CourseOutlines = z.infer<typeof CourseOutlines>;
