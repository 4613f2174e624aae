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

/** Not runnable by the engine: terminal, or waiting for an operator. Wake-ups skip these. */
export const NOT_RUNNABLE_STATUSES: readonly WorkflowStatus[] = [...TERMINAL_STATUSES, ATTENTION_STATUS];

/**
 * What a step is, for everyone who lists steps (the sidebar, the SLA watch, the operator API,
 * the engine): shown label, whether an operator may skip it (the workflow still delivers
 * something useful), and its SLA phase (setup: before the learner answers; human: the learner's
 * wait, not counted; active: counted from the submission to deliverables ready). Exhaustive by
 * type: a status without an entry fails `tsc`.
 */
export interface StepInfo {
  label: string;
  skippable: boolean;
  slaPhase: 'setup' | 'human' | 'active';
}

export const STEP_INFO = {
  REQUESTED: { label: 'Requested', skippable: false, slaPhase: 'setup' },
  GENERATING_ASSESSMENT: { label: 'Generating the assessment', skippable: false, slaPhase: 'setup' },
  CREATING_GOOGLE_RESOURCES: { label: 'Creating the form and folder', skippable: false, slaPhase: 'setup' },
  AWAITING_COMPLETION: { label: 'Waiting for the learner', skippable: false, slaPhase: 'human' },
  ANALYZING_RESULTS: { label: 'Analysing results', skippable: false, slaPhase: 'active' },
  WRITING_GAP_ANALYSIS: { label: 'Writing the gap analysis', skippable: false, slaPhase: 'active' },
  GENERATING_TRAINING_PLAN: { label: 'Building the training plan', skippable: false, slaPhase: 'active' },
  GENERATING_COURSE_OUTLINES: { label: 'Writing course outlines', skippable: false, slaPhase: 'active' },
  GENERATING_PRESENTATIONS: { label: 'Generating presentations', skippable: false, slaPhase: 'active' },
  GENERATING_AVATAR_VIDEOS: { label: 'Generating avatar videos', skippable: true, slaPhase: 'active' },
  FINALIZING: { label: 'Finalizing', skippable: false, slaPhase: 'active' },
} as const satisfies Record<StepStatus, StepInfo>;

/** Labels of every status (steps and ends), for people. */
export const STATUS_LABELS: Readonly<Record<WorkflowStatus, string>> = {
  ...(Object.fromEntries(STEP_STATUSES.map((s) => [s, STEP_INFO[s].label])) as Record<StepStatus, string>),
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
  NEEDS_ATTENTION: 'Needs attention',
};

/** Steps an operator may skip (with a reason): the workflow still delivers something useful. */
export const SKIPPABLE_STEPS: readonly StepStatus[] = STEP_STATUSES.filter((s) => STEP_INFO[s].skippable);

/** Steps of the SLA-counted active phase. */
export const ACTIVE_PHASE_STEPS: readonly StepStatus[] = STEP_STATUSES.filter((s) => STEP_INFO[s].slaPhase === 'active');

/**
 * Version of the workflow definition (the step list and what each step means). A workflow
 * records the version it started on; the engine does not run a workflow of another version on
 * this code (it parks it in NEEDS_ATTENTION with an alert saying why), so a deploy that changes
 * the step list never silently reroutes workflows in flight. Bump it with every change to
 * STEP_STATUSES (tests/unit/workflow-definition.test.ts pins the list per version).
 */
export const WORKFLOW_DEFINITION_VERSION = 1;

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
