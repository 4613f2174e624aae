import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DAILY_QUOTAS, EXCEEDED_EXECUTION_TIME } from '../workspace-emulator';
import { fixtureEmulator, INSTRUCTOR, removeFixtureBundles } from './helpers';

afterAll(removeFixtureBundles);

describe('per-execution budget', () => {
  it('kills an execution whose simulated time (sleeps included) exceeds the budget, even if the script catches', () => {
    const emulator = fixtureEmulator({ executionBudgetMs: 360_000, maxRealSleepMs: 5 });
    // 5 sleeps of a minute fit in 6 minutes; the 7th minute does not.
    expect(emulator.run('sleepy', 5)).toBe('survived after catching 0');
    expect(() => emulator.run('sleepy', 8)).toThrow(EXCEEDED_EXECUTION_TIME);
    expect(emulator.state.executions.at(-1)).toMatchObject({ functionName: 'sleepy', ok: false, error: EXCEEDED_EXECUTION_TIME });
    // Each run is a fresh execution with a fresh budget.
    expect(emulator.run('sleepy', 5)).toBe('survived after catching 0');
  });

  it('stops a loop that never calls a service', () => {
    const emulator = fixtureEmulator({ executionBudgetMs: 200 });
    expect(() => emulator.run('spin')).toThrow(EXCEEDED_EXECUTION_TIME);
  });

  it('Utilities.sleep advances the script clock without blocking for long', () => {
    const emulator = fixtureEmulator();
    expect(emulator.run('clockAdvances')).toBeGreaterThanOrEqual(120_000);
    expect(emulator.state.clockOffsetMs).toBeGreaterThan(100_000);
  });
});

describe('PropertiesService limits', () => {
  it('counts every store read and write against the daily quota (consumer: 50,000) and refuses the call over it, changing nothing', () => {
    expect(DEFAULT_DAILY_QUOTAS['PropertiesService.readWrite']).toBe(50_000);
    const emulator = fixtureEmulator({ dailyQuotas: { 'PropertiesService.readWrite': 5 } });
    expect(emulator.run('fillUserProperties', 'k', 3, 10)).toBe(3);
    expect(emulator.quotaUsage()['PropertiesService.readWrite']).toBe(3);
    expect(() => emulator.run('fillUserProperties', 'm', 3, 10)).toThrow('Service invoked too many times for one day: properties.');
    expect([...emulator.state.properties.user.get(INSTRUCTOR.email)!.keys()]).toEqual(['k0', 'k1', 'k2', 'm0', 'm1']);
    expect(() => emulator.run('countUserProperties')).toThrow('Service invoked too many times for one day: properties.');
    emulator.resetDailyQuotas();
    expect(emulator.run('countUserProperties')).toBe(5);
  });

  it('refuses a value over 9 KB and a store over 500 KB, as Google does', () => {
    const emulator = fixtureEmulator();
    expect(() => emulator.run('fillUserProperties', 'big', 1, 9 * 1024 + 1)).toThrow('Argument too large: value');
    expect(emulator.run('fillUserProperties', 'v', 55, 9 * 1024 - 10)).toBe(55);
    expect(() => emulator.run('fillUserProperties', 'w', 1, 9 * 1024 - 10)).toThrow(/exceeded the property storage quota/);
    expect(emulator.run('countUserProperties')).toBe(55);
  });
});

describe('daily quotas and quota errors', () => {
  it("enforces configured daily quotas with Google's message", () => {
    const emulator = fixtureEmulator({ dailyQuotas: { 'DriveApp.createFolder': 3 } });
    expect(emulator.run('createFolders', 3)).toHaveLength(3);
    expect(() => emulator.run('createFolders', 1)).toThrow('Service invoked too many times for one day: driveapp.');
    expect(emulator.quotaUsage()['DriveApp.createFolder']).toBe(3);
    emulator.resetDailyQuotas();
    expect(emulator.run('createFolders', 1)).toHaveLength(1);
  });

  it('injected quota errors hit the next N calls, are script-realm Errors, then stop', () => {
    const emulator = fixtureEmulator();
    emulator.injectQuotaError('FormApp', 2);
    expect(emulator.run('tryCreateForm', 'a')).toEqual({
      ok: false,
      message: 'Service invoked too many times for one day: forms.',
      isError: true,
    });
    expect(emulator.run('tryCreateForm', 'b')).toMatchObject({ ok: false });
    expect(emulator.run('tryCreateForm', 'c')).toMatchObject({ ok: true });
    emulator.injectQuotaError('FormApp.create', 1, 'short');
    expect(emulator.run('tryCreateForm', 'd')).toMatchObject({
      ok: false,
      message: 'Service invoked too many times in a short time: forms. Try Utilities.sleep(1000) between calls.',
    });
    expect(emulator.state.forms.size).toBe(1);
    expect(emulator.callCounts()['FormApp.create']).toBe(4);
  });
});

describe('manifest scopes', () => {
  it('a service whose scope the manifest does not declare fails like Google', () => {
    const emulator = fixtureEmulator({}, { oauthScopes: ['https://www.googleapis.com/auth/spreadsheets'] });
    expect(() => emulator.run('createFolders', 1)).toThrow(
      'You do not have permission to call DriveApp.createFolder. Required permissions: https://www.googleapis.com/auth/drive',
    );
  });

  it('a malformed manifest is refused, naming the field', () => {
    expect(() => fixtureEmulator({}, { oauthScopes: 'openid' })).toThrow(/appsscript\.json field "oauthScopes"/);
  });

  it('charges a simulated latency per service call, so slow real calls can be modelled', () => {
    const emulator = fixtureEmulator({ callLatencyMs: 1_000 });
    emulator.run('createFolders', 5);
    const calls = Object.values(emulator.callCounts()).reduce((a, b) => a + b, 0);
    expect(calls).toBeGreaterThanOrEqual(5);
    expect(emulator.state.executions.at(-1)!.simulatedMs).toBeGreaterThanOrEqual(calls * 1_000 - 1_000);
  });
});
