/**
 * The sidebar in headless Chromium: the HTML the add-on serves (HtmlService in the emulator),
 * `google.script.run` bridged to the real bundle in the Workspace emulator, the real backend in a
 * child process. The instructor fills the form with the keyboard, starts a workflow and watches it
 * reach COMPLETED while the learner submits the form. Screenshot: test-results/sidebar.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAddonStack, type AddonStack } from '../../scripts/demo/addon-stack';
import type { WorkspaceEmulator } from '../workspace-emulator';
import { learnerSubmits } from '../e2e-addon/support/emulator-helpers';
import { startSidebarBridge, type SidebarBridge } from './sidebar-bridge';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));
const LEARNER = 'learner.browser@learners.example';

let stack: AddonStack;
let emulator: WorkspaceEmulator;
let bridge: SidebarBridge;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // CI installs Debian's chromium with apt; never download a browser, and never skip silently.
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the sidebar browser test`);
  stack = await startAddonStack({ backendEnv: { SIMULATOR_JOB_MS: '50', PRESGEN_POLL_MS: '50' } });
  emulator = stack.newEmulator({ scriptProperties: { PRESGEN_PUMP_IDLE_STOP_MS: '30000' } });
  emulator.openDocument();
  emulator.run('showSidebar');
  const sidebar = emulator.lastSidebar();
  if (!sidebar) throw new Error('showSidebar did not open a sidebar');
  bridge = await startSidebarBridge(emulator, sidebar.html);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 320, height: 900 } });
  // The sidebar refreshes on a 5 s timer; a fake clock lets the test fire those ticks itself.
  await page.clock.install();
  const bootstrapped = bridge.nextCall('sidebarBootstrap');
  await page.goto(bridge.url);
  expect((await bootstrapped).ok).toBe(true);
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await stack?.close();
});

const statusOf = (id: string) => page.locator(`li[data-workflow-id="${id}"] .wf-status`);

/** Fire the sidebar's refresh ticks until the workflow shows `label` (bounded); returns every status seen. */
async function tickUntil(id: string, label: string, seen: string[]): Promise<void> {
  for (let round = 0; round < 150; round++) {
    const text = (await statusOf(id).textContent())?.trim() ?? '';
    if (seen.at(-1) !== text) seen.push(text);
    if (text === label) return;
    await page.clock.runFor(1_000);
    await new Promise((r) => setTimeout(r, 100)); // real time for the backend and the bridge
  }
  throw new Error(`the sidebar never showed "${label}"; it showed: ${seen.join(' → ')}`);
}

describe('sidebar in Chromium', () => {
  it('explains invalid input in plain words, in the live region, without calling the backend', async () => {
    await page.getByLabel('Certification').selectOption('aws-saa-c03');
    await page.getByLabel('Learner email').fill('not-an-email');
    await page.getByLabel('Number of courses (1–5)').fill('9');
    await page.getByRole('button', { name: 'Start assessment' }).click();

    await expect.poll(() => page.locator('#status').textContent()).toBe('Please fix the highlighted fields.');
    expect(await page.locator('#status').getAttribute('role')).toBe('status');
    expect(await page.locator('#learnerEmail-error').textContent()).toBe("Enter the learner's email address, like name@example.com.");
    expect(await page.locator('#courseCount-error').textContent()).toBe('Enter a whole number from 1 to 5.');
    expect(await page.getByLabel('Learner email').getAttribute('aria-invalid')).toBe('true');
    // Focus moves to the first field to fix (string expression: this tsconfig has no DOM types).
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('learnerEmail');
    expect(bridge.calls.filter((c) => c.fn === 'startAssessment')).toHaveLength(0);
  });

  it('starts a workflow from the keyboard and shows its status change until Completed, with the deliverable links', async () => {
    await page.getByLabel('Learner email').fill(LEARNER);
    await page.getByLabel('Number of courses (1–5)').fill('2');
    await page.getByLabel('Slides per course (1–40)').fill('3');
    const started = bridge.nextCall('startAssessment');
    await page.getByLabel('Slides per course (1–40)').press('Enter'); // implicit submission, no mouse
    expect((await started).ok).toBe(true);

    const item = page.locator('li[data-workflow-id]').first();
    await item.waitFor();
    const id = (await item.getAttribute('data-workflow-id'))!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('#status').textContent()).toContain('Assessment started');

    const seen: string[] = [];
    await tickUntil(id, 'Waiting for the learner', seen);
    expect(emulator.state.forms.size).toBe(1);
    await expect.poll(() => item.getByRole('link', { name: 'Assessment form (learner link)' }).count()).toBe(1);

    // The learner answers in Google Forms; the add-on's trigger takes it from there.
    const [formId] = emulator.state.forms.keys();
    expect(learnerSubmits(emulator, formId, 'high', LEARNER).map((r) => r.ok)).toEqual([true]);
    await tickUntil(id, 'Completed', seen);

    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(await statusOf(id).getAttribute('class')).toContain('done');
    await expect.poll(() => item.getByRole('link', { name: /^Slides, course \d/ }).count()).toBe(2);
    expect(await item.getByRole('link', { name: /^Video, course \d/ }).count()).toBe(2);
    const timeline = item.getByRole('list', { name: 'Step timeline' });
    await expect.poll(() => timeline.locator('li.succeeded').count(), { timeout: 20_000 }).toBe(11);
    // Each step shows how long it took, first run to last (a step that waited runs more than once).
    for (const text of await timeline.locator('li').allTextContents()) expect(text).toMatch(/ — succeeded \((under 1 s|\d+ s|\d+ min)\)$/);
    expect(bridge.calls.filter((c) => !c.ok)).toEqual([]);

    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: `${RESULTS_DIR}sidebar.png`, fullPage: true });
    expect(existsSync(`${RESULTS_DIR}sidebar.png`)).toBe(true);
  });
});
