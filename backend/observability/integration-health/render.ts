import type { IntegrationHealthReport } from '../../../shared/contracts/reports';

/** The report as a plain-text message (email, Slack): the figures an operator reads first. */
export function renderIntegrationHealth(r: IntegrationHealthReport): { subject: string; text: string } {
  const lines: string[] = [`Integration health ${r.from} .. ${r.to}`, ''];
  lines.push('Per service and operation: attempts, errors (rate), retries, given up, possible duplicates');
  const noisy = [...r.services].sort((a, b) => b.errorRate - a.errorRate || b.attempts - a.attempts);
  for (const s of noisy) {
    lines.push(
      `  ${s.service} ${s.operation}: ${s.attempts} attempts, ${s.errors} errors (${pct(s.errorRate)}), ${s.retries} retries, ${s.givenUp} given up, ${s.possibleDuplicates} possible duplicates`,
    );
  }
  if (r.services.length === 0) lines.push('  (no activity)');
  lines.push('', 'Circuit opens and rate-limit waits');
  for (const e of r.events) lines.push(`  ${e.service}: ${e.circuitOpens} circuit opens, ${e.rateLimitWaits} rate-limit waits`);
  if (r.events.length === 0) lines.push('  none');
  const sla = r.sla;
  lines.push(
    '',
    `Active phase SLA (${sla.slaSeconds / 60} min): ${sla.completed} completed, P50 ${secs(sla.p50Seconds)}, P95 ${secs(sla.p95Seconds)}, ${sla.overSla} over the SLA`,
  );
  lines.push('', `Workflows that needed attention: ${r.attention.length}`);
  for (const a of r.attention.slice(0, 20)) lines.push(`  ${a.at} ${a.workflowId} -> ${a.status} at ${a.step ?? '?'}: ${a.reason}`);
  if (r.attention.length > 20) lines.push(`  … and ${r.attention.length - 20} more (GET /api/admin/reports/integration-health)`);
  lines.push('', 'Apps Script quota peaks (highest daily use by one instructor)');
  for (const q of r.quotaPeaks)
    lines.push(`  ${q.service}: ${q.peak}${q.limit ? ` of ${q.limit} (${pct(q.ratio ?? 0)})` : ''} on ${q.day}`);
  if (r.quotaPeaks.length === 0) lines.push('  no reports');
  const worst = noisy[0];
  const subject = `Integration health ${r.from.slice(0, 10)} .. ${r.to.slice(0, 10)}: ${r.attention.length} needed attention${worst && worst.errors > 0 ? `, worst ${worst.service} ${worst.operation} ${pct(worst.errorRate)} errors` : ''}`;
  return { subject, text: lines.join('\n') };
}

const pct = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;
const secs = (s: number | null) => (s === null ? 'n/a' : `${Math.round(s)} s`);
