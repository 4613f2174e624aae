/** Small statistics helpers for the benchmark's printed figures. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

export function summary(values: number[]): string {
  return `p50 ${fmt(percentile(values, 50), 2)} ms, p95 ${fmt(percentile(values, 95), 2)} ms, p99 ${fmt(percentile(values, 99), 2)} ms (n=${values.length})`;
}
