import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractRunbookBlocks } from './runbook-blocks';

/**
 * The runbook's shape: a section per alert and per common failure, each with the five parts an
 * on-call engineer looks for, dashboard panels that exist, and links that land on a heading.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNBOOK = readFileSync(join(ROOT, 'docs/runbooks/workflow_failures.md'), 'utf8');
const PARTS = ['**Symptoms.**', '**Dashboard panel.**', '**Diagnosis.**', '**Resolution.**', '**Escalation.**'];
const REQUIRED_SECTIONS = [
  'Backend down',
  'Replica down',
  'SLA breach',
  'External API errors',
  'Circuit open',
  'Commands stuck',
  'Quota near limit',
  'Needs attention',
  'Notifications failing',
  'Notification backlog growing',
  'PresGen outage',
  'Quota exhausted',
  'Apps Script not pumping',
  'Stuck AWAITING_COMPLETION',
  'Token or audience misconfiguration',
  'Database failover',
  'Replaying a failed workflow',
  'Poison workflow',
];

/** GitHub's heading anchors, as used by the alert rules' runbook_url. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) {
    const [heading, ...body] = part.split('\n');
    out.set(heading.trim(), body.join('\n'));
  }
  return out;
}

function panelTitles(): Set<string> {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/observability/dashboard.json'), 'utf8')) as {
    panels: Array<{ title: string; panels?: unknown[] }>;
  };
  const titles = new Set<string>();
  const walk = (panels: Array<{ title: string; panels?: unknown[] }>) => {
    for (const p of panels) {
      titles.add(p.title);
      walk((p.panels ?? []) as Array<{ title: string }>);
    }
  };
  walk(dashboard.panels);
  return titles;
}

describe('docs/runbooks/workflow_failures.md', () => {
  const bySection = sections(RUNBOOK);

  it('has a section for every alert and every common failure', () => {
    for (const name of REQUIRED_SECTIONS) expect([...bySection.keys()], name).toContain(name);
  });

  it('gives symptoms, dashboard panel, diagnosis, resolution and escalation in each of them', () => {
    for (const name of REQUIRED_SECTIONS) {
      for (const part of PARTS) expect(bySection.get(name), `${name}: ${part}`).toContain(part);
    }
  });

  it('names only dashboard panels that exist, and at least one per section', () => {
    const titles = panelTitles();
    for (const name of REQUIRED_SECTIONS) {
      const paragraph = /\*\*Dashboard panel\.\*\*([^]*?)\n\n/.exec(bySection.get(name)!)?.[1] ?? '';
      const quoted = [...paragraph.matchAll(/"([^"]+)"/g)].map((m) => m[1]).filter((t) => !t.startsWith('presgen_'));
      expect(quoted.length, `${name} names a panel`).toBeGreaterThan(0);
      for (const title of quoted) expect(titles, `${name}: "${title}"`).toContain(title);
    }
  });

  it('has internal links that all land on a heading', () => {
    const anchors = new Set([...RUNBOOK.matchAll(/^#{2,3} (.+)$/gm)].map((m) => anchorOf(m[1])));
    const links = [...RUNBOOK.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(10);
    for (const link of links) expect(anchors, `#${link}`).toContain(link);
  });

  it('gives runnable commands in every section that diagnoses something', () => {
    const blocks = extractRunbookBlocks(RUNBOOK, 'workflow_failures.md');
    const withCommands = new Set(blocks.map((b) => b.section));
    for (const name of REQUIRED_SECTIONS) expect(withCommands, name).toContain(name);
  });
});

describe('extractRunbookBlocks', () => {
  const doc = [
    '## A',
    '```sh runbook expect="status": "ready"',
    'curl x',
    '```',
    '```sh',
    'not runnable',
    '```',
    '### B',
    '```sh runbook continue',
    'psql y',
    'psql z',
    '```',
  ].join('\n');

  it('finds only `sh runbook` blocks, with their section, expectation and continue flag', () => {
    expect(extractRunbookBlocks(doc, 'doc.md')).toEqual([
      { file: 'doc.md', line: 2, section: 'A', code: 'curl x', expect: '"status": "ready"', continueWorkflow: false },
      { file: 'doc.md', line: 9, section: 'B', code: 'psql y\npsql z', expect: undefined, continueWorkflow: true },
    ]);
  });

  it('rejects an unknown attribute and an unclosed fence, naming the line', () => {
    expect(() => extractRunbookBlocks('```sh runbook sudo\nx\n```', 'd.md')).toThrow('d.md:1: unknown runbook attribute(s): sudo');
    expect(() => extractRunbookBlocks('text\n```sh runbook\nx', 'd.md')).toThrow('d.md:2: unclosed code fence');
  });
});
