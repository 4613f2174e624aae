import { describe, expect, it } from 'vitest';
import {
  canTransition,
  nextStep,
  STEP_STATUSES,
  TERMINAL_STATUSES,
  TRANSITIONS,
  WorkflowStatus,
  type WorkflowStatus as Status,
} from '../../shared/workflow-status';

/** The explicit transition table: every legal move, and everything else rejected. */
describe('workflow state machine', () => {
  const all = WorkflowStatus.options as Status[];

  it('has 11 steps in order, AWAITING_COMPLETION 4th', () => {
    expect(STEP_STATUSES).toHaveLength(11);
    expect(STEP_STATUSES[3]).toBe('AWAITING_COMPLETION');
    expect(nextStep('FINALIZING')).toBe('COMPLETED');
  });

  const legal: Array<[Status, Status]> = [];
  STEP_STATUSES.forEach((step, i) => {
    legal.push([step, i === 10 ? 'COMPLETED' : STEP_STATUSES[i + 1]]);
    legal.push([step, 'FAILED'], [step, 'NEEDS_ATTENTION'], [step, 'CANCELLED']);
  });
  legal.push(['AWAITING_COMPLETION', 'EXPIRED']);
  for (const step of STEP_STATUSES) legal.push(['NEEDS_ATTENTION', step], ['FAILED', step]);
  legal.push(['NEEDS_ATTENTION', 'COMPLETED'], ['NEEDS_ATTENTION', 'FAILED'], ['NEEDS_ATTENTION', 'CANCELLED']);

  it.each(legal)('allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it('rejects every other pair', () => {
    const legalSet = new Set(legal.map(([a, b]) => `${a}>${b}`));
    let rejected = 0;
    for (const from of all) {
      for (const to of all) {
        if (legalSet.has(`${from}>${to}`)) continue;
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(false);
        rejected++;
      }
    }
    expect(rejected).toBe(all.length * all.length - legal.length);
  });

  it('terminal states have no way out', () => {
    for (const t of TERMINAL_STATUSES.filter((s) => s !== 'FAILED')) expect(TRANSITIONS[t]).toEqual([]);
  });

  it('cannot skip a step or go backwards on the normal path', () => {
    expect(canTransition('REQUESTED', 'CREATING_GOOGLE_RESOURCES')).toBe(false);
    expect(canTransition('ANALYZING_RESULTS', 'AWAITING_COMPLETION')).toBe(false);
    expect(canTransition('GENERATING_PRESENTATIONS', 'EXPIRED')).toBe(false);
  });
});
