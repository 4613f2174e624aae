import { z } from 'zod';

/**
 * The 11 steps of an assessment workflow, in order. A workflow's status is the step it is at
 * (or a terminal/failure state). The order matters: "next step" and "retry from step" use it.
 */
export const STEP_STATUSES = [
  'REQUESTED', // 1 request assessment: validated, persisted, audited
  'GENERATING_ASSESSMENT', // 2 questions + answer key
  'CREATING_GOOGLE_RESOURCES', // 3 Apps Script: folder, form, results sheet
  'AWAITING_COMPLETION', // 4 human in the loop: the learner answers the form
  'ANALYZING_RESULTS', // 5 grade + gap analysis
  'WRITING_GAP_ANALYSIS', // 6 Apps Script: Gap_Analysis tab
  'GENERATING_TRAINING_PLAN', // 7 plan + Training_Plan tab
  'GENERATING_COURSE_OUTLINES', // 8 outlines + Course_Outline_N tabs
  'GENERATING_PRESENTATIONS', // 9 PresGen Core, one job per course
  'GENERATING_AVATAR_VIDEOS', // 10 PresGen Avatar, one job per presentation
  'FINALIZING', // 11 sharing, Deliverables tab, notify instructor
] as const;

export const TERMINAL_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED', 'EXPIRED'] as const;

/** Not terminal: an operator can retry, skip a non-critical step, complete manually or cancel. */
export const ATTENTION_STATUS = 'NEEDS_ATTENTION' as const;

export const WorkflowStatus = z.enum([...STEP_STATUSES, ...TERMINAL_STATUSES, ATTENTION_STATUS]);
export type WorkflowStatus = z.infer<typeof WorkflowStatus>;

export const StepStatus = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof StepStatus>;

export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isStepStatus(s: WorkflowStatus): s is StepStatus {
  return (STEP_STATUSES as readonly string[]).includes(s);
}

export function isTerminal(s: WorkflowStatus): s is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(s);
}

/** 1-based step number shown to people (timelines, logs, docs). */
export function stepNumber(s: StepStatus): number {
  return STEP_STATUSES.indexOf(s) + 1;
}

export function nextStep(s: StepStatus): StepStatus | 'COMPLETED' {
  const i = STEP_STATUSES.indexOf(s);
  return i === STEP_STATUSES.length - 1 ? 'COMPLETED' : STEP_STATUSES[i + 1];
}

/** Steps an operator may skip (with a reason): the workflow still delivers something useful. */
export const SKIPPABLE_STEPS: readonly StepStatus[] = ['GENERATING_AVATAR_VIDEOS'];

/**
 * The explicit transition table. Anything not listed is illegal: the engine rejects it and
 * records the attempt in the audit trail instead of applying it.
 */
export const TRANSITIONS: Readonly<Record<WorkflowStatus, readonly WorkflowStatus[]>> = (() => {
  const table = {} as Record<WorkflowStatus, WorkflowStatus[]>;
  for (const step of STEP_STATUSES) {
    table[step] = [nextStep(step), 'FAILED', 'NEEDS_ATTENTION', 'CANCELLED'];
  }
  table.AWAITING_COMPLETION.push('EXPIRED');
  // From NEEDS_ATTENTION an operator retries (any step), skips, completes manually, fails or cancels.
  table.NEEDS_ATTENTION = [...STEP_STATUSES, 'COMPLETED', 'FAILED', 'CANCELLED'];
  // A FAILED workflow may be retried from the failed step (or any earlier one) once the cause is fixed.
  table.FAILED = [...STEP_STATUSES];
  table.COMPLETED = [];
  table.CANCELLED = [];
  table.EXPIRED = [];
  return table;
})();

export function canTransition(from: WorkflowStatus, to: WorkflowStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
