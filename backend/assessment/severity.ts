import type { Severity } from '../../shared/contracts/assessment';

/**
 * The built-in engine's scoring rules, in one place (documented in docs/integrations/assessment-api.md).
 * A score is earned points / possible points, 0..1.
 */

/** Upper bounds (exclusive): a score below `below` gets `severity`. 90% and above: 'none'. */
export const SEVERITY_THRESHOLDS: ReadonlyArray<{ below: number; severity: Severity }> = [
  { below: 0.4, severity: 'critical' },
  { below: 0.6, severity: 'high' },
  { below: 0.75, severity: 'medium' },
  { below: 0.9, severity: 'low' },
];

export function severityForScore(score: number): Severity {
  for (const t of SEVERITY_THRESHOLDS) if (score < t.below) return t.severity;
  return 'none';
}

/** Plan priority = SEVERITY_WEIGHT x domain weight. 'none' never enters a plan. */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = {
  critical: 1,
  high: 0.75,
  medium: 0.5,
  low: 0.25,
  none: 0,
};

/** Study time recommended per plan item. */
export const RECOMMENDED_MINUTES: Readonly<Record<Severity, number>> = {
  critical: 120,
  high: 90,
  medium: 60,
  low: 30,
  none: 0,
};

/** Rounded so that equal products (e.g. 0.75 x 0.4 and 1 x 0.3) compare equal despite float noise. */
export function roundScore(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
