import { describe, expect, it } from 'vitest';
import { ACTIVE_PHASE_STEPS, SKIPPABLE_STEPS, STEP_INFO, STEP_STATUSES, WORKFLOW_DEFINITION_VERSION } from '../../shared/workflow-status';
import { STEP_HANDLERS } from '../../backend/workflow/steps';

/**
 * The step list of each definition version. Changing STEP_STATUSES without bumping
 * WORKFLOW_DEFINITION_VERSION (and adding the new list here) fails this test: in-flight
 * workflows of the old version must be parked with an alert, not silently rerouted.
 */
const STEP_LISTS_BY_VERSION: Record<number, readonly string[]> = {
  1: [
    'REQUESTED',
    'GENERATING_ASSESSMENT',
    'CREATING_GOOGLE_RESOURCES',
    'AWAITING_COMPLETION',
    'ANALYZING_RESULTS',
    'WRITING_GAP_ANALYSIS',
    'GENERATING_TRAINING_PLAN',
    'GENERATING_COURSE_OUTLINES',
    'GENERATING_PRESENTATIONS',
    'GENERATING_AVATAR_VIDEOS',
    'FINALIZING',
  ],
};

describe('workflow definition', () => {
  it('the current step list is the one pinned for WORKFLOW_DEFINITION_VERSION', () => {
    expect(STEP_STATUSES).toEqual(STEP_LISTS_BY_VERSION[WORKFLOW_DEFINITION_VERSION]);
  });

  it('has one handler per step, registered under its own status', () => {
    expect([...STEP_HANDLERS.keys()]).toEqual([...STEP_STATUSES]);
    for (const [status, handler] of STEP_HANDLERS) expect(handler.status).toBe(status);
  });

  it('derives skippable and SLA lists from STEP_INFO', () => {
    expect(SKIPPABLE_STEPS).toEqual(['GENERATING_AVATAR_VIDEOS']);
    expect(ACTIVE_PHASE_STEPS[0]).toBe('ANALYZING_RESULTS');
    expect(ACTIVE_PHASE_STEPS.at(-1)).toBe('FINALIZING');
    expect(Object.keys(STEP_INFO)).toEqual([...STEP_STATUSES]);
  });
});
