/**
 * `npm run demo` as a person runs it (a child process), so the README's demo command cannot rot:
 * it must finish COMPLETED, exit 0 and print the timeline and every deliverable link.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STEP_STATUSES } from '../../shared/workflow-status';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runDemo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/demo.ts', ...args],
      { cwd: ROOT, timeout: 110_000, env: { ...process.env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run demo', () => {
  it('runs one workflow to COMPLETED and prints the timeline and every deliverable link', { timeout: 120_000 }, async () => {
    const htmlDir = mkdtempSync(join(tmpdir(), 'presgen-demo-html-'));
    const { code, stdout, stderr } = await runDemo(['--score=medium', '--courses=2', `--html-dir=${htmlDir}`]);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/Workflow [0-9a-f-]{36}: COMPLETED/);
    for (const step of STEP_STATUSES) expect(stdout).toMatch(new RegExp(`\\d+\\s+${step}\\s+succeeded`));
    expect(stdout).toMatch(/Assessment form \(learner\)\s+https:\/\/docs\.google\.com\/forms\/d\/e\/\S+\/viewform/);
    expect(stdout).toMatch(/Results spreadsheet\s+https:\/\/docs\.google\.com\/spreadsheets\/d\/\S+/);
    for (const tab of ['Gap_Analysis', 'Training_Plan', 'Course_Outline_1', 'Course_Outline_2', 'Deliverables'])
      expect(stdout).toContain(`tab ${tab}`);
    // The default protocol is the real PresGen-Core API: its (simulated) decks are Google Slides URLs.
    expect(stdout.match(/Deck, course \d\s+https:\/\/docs\.google\.com\/presentation\/d\/\S+/g)).toHaveLength(2);
    expect(stdout.match(/Video, course \d\s+http:\/\/127\.0\.0\.1:\d+\/\S+/g)).toHaveLength(2);
    expect(stdout).toContain('COMPLETED: 2 deck(s) and 2 video(s) ready.');
    // Readable for a person: no JSON log lines from the backend.
    expect(stdout).not.toMatch(/^\{"level"/m);
    expect(stderr).toBe('');

    // The results spreadsheet as a web page: every tab, and the Gap_Analysis chart.
    const htmlPath = /web page \(every tab and the Gap_Analysis chart\): (\S+\.html)$/m.exec(stdout)?.[1];
    expect(htmlPath?.startsWith(htmlDir)).toBe(true);
    const html = readFileSync(htmlPath!, 'utf8');
    for (const tab of ['Gap_Analysis', 'Training_Plan', 'Course_Outline_1', 'Course_Outline_2', 'Deliverables'])
      expect(html).toContain(`<h2>${tab}</h2>`);
    expect(html).toMatch(/<svg role="img" aria-label="Score per domain \(%\) against the pass mark"[\s\S]*<rect[\s\S]*<polyline/);
    rmSync(htmlDir, { recursive: true, force: true });
  });

  it('refuses a bad flag with a message naming it, before starting anything', async () => {
    const { code, stdout, stderr } = await runDemo(['--score=perfect']);
    expect(code).toBe(2);
    expect(stderr).toContain('--score: Invalid option: expected one of "high"|"medium"|"low"');
    expect(stdout).toBe('');
  });
});
