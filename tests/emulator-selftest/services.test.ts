import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_TIMEOUT_MESSAGE, SHARING_POLICY_ERROR } from '../workspace-emulator';
import { fixtureEmulator, INSTRUCTOR, removeFixtureBundles } from './helpers';

afterAll(removeFixtureBundles);

describe('PropertiesService, CacheService, LockService', () => {
  it('round-trips properties, cache entries and a lock', () => {
    const emulator = fixtureEmulator();
    expect(emulator.run('storesRoundTrip')).toEqual({
      props: { a: '1', b: 'two' },
      keys: ['a', 'b'],
      missing: null,
      cache: 'v',
      all: { x: '1', y: '2' },
      locked: true,
      hadLock: true,
      hasAfterRelease: false,
    });
    expect(Object.fromEntries(emulator.state.properties.user.get(INSTRUCTOR.email)!)).toEqual({ a: '1', b: 'two' });
  });

  it('cache entries expire on the simulated clock', () => {
    const emulator = fixtureEmulator({ maxRealSleepMs: 1 });
    emulator.run('storesRoundTrip'); // puts 'k' for 60 s
    expect(emulator.run('cacheGet', 'k')).toBe('v');
    emulator.run('sleepy', 1); // one simulated minute
    expect(emulator.run('cacheGet', 'k')).toBeNull();
  });

  it('waitLock times out while another execution holds the lock, and works once released', () => {
    const emulator = fixtureEmulator();
    const release = emulator.holdLockElsewhere('script');
    const offsetBefore = emulator.state.clockOffsetMs;
    expect(() => emulator.run('waitForScriptLock', 10_000)).toThrow(LOCK_TIMEOUT_MESSAGE);
    expect(emulator.state.clockOffsetMs - offsetBefore).toBeGreaterThan(9_000);
    release();
    expect(emulator.run('waitForScriptLock', 10_000)).toBe('locked');
  });
});

describe('HtmlService, Ui and simple triggers', () => {
  it('evaluates a template from the bundle folder and shows it as the sidebar', () => {
    const emulator = fixtureEmulator();
    emulator.run('showSidebar');
    const sidebar = emulator.lastSidebar()!;
    expect(sidebar.title).toBe('PresGen-Assess');
    expect(sidebar.html).toContain(`Signed in as ${INSTRUCTOR.email}`);
    expect(sidebar.html).toContain('<li>&lt;wf-1&gt;</li>');
    expect(sidebar.html).toContain('<li>wf-2</li>');
    expect(sidebar.html).toContain('<div id="raw"><b>raw</b></div>');
  });

  it('onOpen runs in LIMITED mode: the menu is built, Drive is off limits', () => {
    const emulator = fixtureEmulator();
    expect(emulator.openDocument()).toBe('LIMITED');
    expect(emulator.state.menus).toEqual([
      { title: 'PresGen add-on menu', items: [{ caption: 'Open PresGen-Assess', functionName: 'showSidebar' }] },
    ]);
    expect(emulator.state.properties.document.get(emulator.activeSpreadsheetId)?.get('onOpenDriveError')).toMatch(
      /^You do not have permission to call DriveApp.getRootFolder/,
    );
    expect(emulator.state.executions.at(-1)).toMatchObject({ kind: 'simple-trigger', ok: true });
  });
});

describe('authorization modes of onOpen/onInstall', () => {
  const NOT_ENABLED = /^You do not have permission to call .*AuthMode\.NONE/;

  it('AuthMode.NONE allows only the menu (and logging, Utilities): properties, the document, identity, UrlFetch and locks throw', () => {
    const emulator = fixtureEmulator();
    const outcome = emulator.installAddon('NONE') as { authMode: string; hasSource: boolean; probes: Record<string, string> };
    expect(outcome.authMode).toBe('NONE');
    expect(outcome.hasSource).toBe(false);
    expect(outcome.probes.utilities).toBe('ok');
    for (const probe of ['properties', 'activeSpreadsheet', 'identityToken', 'urlFetch', 'userLock']) {
      expect(outcome.probes[probe], probe).toMatch(NOT_ENABLED);
    }
    expect(emulator.state.menus).toEqual([
      { title: 'PresGen add-on menu', items: [{ caption: 'Open PresGen-Assess', functionName: 'showSidebar' }] },
    ]);
  });

  it('AuthMode.LIMITED reaches the document and properties but not identity or UrlFetch; FULL reaches them', () => {
    const emulator = fixtureEmulator();
    const limited = emulator.installAddon('LIMITED') as { hasSource: boolean; probes: Record<string, string> };
    expect(limited.hasSource).toBe(true);
    expect(limited.probes).toMatchObject({ properties: 'ok', activeSpreadsheet: 'ok', userLock: 'ok' });
    expect(limited.probes.identityToken).toMatch(/^You do not have permission to call ScriptApp.getIdentityToken/);
    expect(limited.probes.urlFetch).toMatch(/^You do not have permission to call UrlFetchApp.fetch/);
    const full = emulator.installAddon() as { authMode: string; probes: Record<string, string> };
    expect(full.authMode).toBe('FULL');
    expect(full.probes).toMatchObject({ properties: 'ok', activeSpreadsheet: 'ok' });
    expect(full.probes.identityToken).not.toMatch(/permission/);
  });

  it('onOpen in AuthMode.NONE fails like Google when it touches a service (the fixture records an error in properties)', () => {
    const emulator = fixtureEmulator();
    expect(() => emulator.openDocument('NONE')).toThrow(NOT_ENABLED);
  });
});

describe('DriveApp', () => {
  it('creates a folder, moves a spreadsheet into it, shares and trashes', () => {
    const emulator = fixtureEmulator();
    const result = emulator.run('driveRoundTrip', 'learner@example.com') as Record<string, unknown>;
    expect(result).toMatchObject({
      parent: result.folderId,
      viewers: ['learner@example.com'],
      trashed: true,
      url: `https://docs.google.com/spreadsheets/d/${String(result.fileId)}/edit`,
    });
    const file = emulator.state.driveItems.get(String(result.fileId))!;
    expect(file).toMatchObject({ parents: [result.folderId], sharingAccess: 'ANYONE_WITH_LINK', sharingPermission: 'VIEW', trashed: true });
    expect(emulator.callCounts()['SpreadsheetApp.create']).toBe(1);
    expect(emulator.quotaUsage()).toMatchObject({ 'DriveApp.createFolder': 1, 'SpreadsheetApp.create': 1 });
  });

  it("refuses viewers outside the user's domain when the domain's sharing policy says so; the folder stays unshared", () => {
    const emulator = fixtureEmulator({ sharingDomain: 'example.com' });
    expect(() => emulator.run('driveRoundTrip', 'learner@elsewhere.example')).toThrow(SHARING_POLICY_ERROR('learner@elsewhere.example'));
    const folder = [...emulator.state.driveItems.values()].find((d) => d.name === 'Workflow folder')!;
    expect(folder.viewers).toEqual([]);
    // Inside the domain, sharing works, except "anyone with the link".
    expect(() => emulator.run('driveRoundTrip', 'colleague@example.com')).toThrow(SHARING_POLICY_ERROR('anyone'));
    expect([...emulator.state.driveItems.values()].filter((d) => d.name === 'Workflow folder')[1].viewers).toEqual([
      'colleague@example.com',
    ]);
  });
});

describe('overlapping executions', () => {
  it('a second execution runs inside a call of the first, sharing properties, locks and the clock', () => {
    const emulator = fixtureEmulator({ callLatencyMs: 1_000 });
    const other = emulator.overlapDuring({ call: 'Properties.setProperty', nth: 2, functionName: 'overlapReader' });
    const first = emulator.run('overlapWriter', 4) as { sawOther: string; elapsedMs: number };

    // The other execution saw the first's two writes so far, and not its lock (held across the overlap).
    expect(other.outcome()).toEqual({ started: true, ok: true, result: { keys: ['a0', 'a1', 'b'], gotLock: false } });
    // The first sees what the other wrote, and the other's time (latency, the lock wait) passed for it too.
    expect(first.sawOther).toBe('from the other execution');
    const [writer, reader] = [...emulator.state.executions].sort((a, b) => a.id - b.id);
    expect(writer.functionName).toBe('overlapWriter');
    expect(reader.functionName).toBe('overlapReader');
    expect(writer.simulatedMs).toBeGreaterThanOrEqual(reader.simulatedMs + 4 * 1_000);
    expect(first.elapsedMs).toBeGreaterThanOrEqual(reader.simulatedMs);
    // Both ended: nothing is left holding the lock, and later executions do not nest.
    expect(emulator.run('overlapReader')).toEqual({ keys: ['a0', 'a1', 'a2', 'a3', 'b'], gotLock: true });
  });

  it('an overlap that never finds its call does not start', () => {
    const emulator = fixtureEmulator();
    const other = emulator.overlapDuring({ call: 'FormApp.create', functionName: 'overlapReader' });
    emulator.run('overlapWriter', 2);
    expect(other.outcome()).toEqual({ started: false });
  });
});
