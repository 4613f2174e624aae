import { describe, expect, it } from 'vitest';
import { CommandLedger } from '../../apps-script/storage/command-ledger';
import { FormRegistry } from '../../apps-script/storage/form-registry';
import { JsonStore, MAX_CHUNK_CHARS, type PropertiesLike } from '../../apps-script/storage/json-store';

/** PropertiesService's store semantics (strings only, 9 KB per value), counting calls. */
class MemoryProperties implements PropertiesLike {
  readonly values = new Map<string, string>();
  calls = 0;
  getProperty(key: string) {
    this.calls++;
    return this.values.get(key) ?? null;
  }
  setProperty(key: string, value: string) {
    this.calls++;
    if (value.length > 9 * 1024) throw new Error('Argument too large: value');
    this.values.set(key, value);
  }
  deleteProperty(key: string) {
    this.calls++;
    this.values.delete(key);
  }
  getProperties() {
    this.calls++;
    return Object.fromEntries(this.values);
  }
}

describe('JsonStore', () => {
  it('round-trips small values in one property', () => {
    const props = new MemoryProperties();
    const store = new JsonStore(props);
    store.set('a', { x: 1, y: ['z'] });
    expect(store.get('a')).toEqual({ x: 1, y: ['z'] });
    expect([...props.values.keys()]).toEqual(['a']);
    expect(store.get('missing')).toBeUndefined();
  });

  it('splits values larger than one property into chunks and reads them back', () => {
    const props = new MemoryProperties();
    const store = new JsonStore(props);
    const big = { ids: Array.from({ length: 2_000 }, (_, i) => `item-${i}-question-${i}`) };
    store.set('big', big);
    expect(JSON.stringify(big).length).toBeGreaterThan(MAX_CHUNK_CHARS * 2);
    expect(props.values.size).toBeGreaterThan(2);
    expect(store.get('big')).toEqual(big);
    // Overwriting with a small value removes the chunks.
    store.set('big', { small: true });
    expect([...props.values.keys()]).toEqual(['big']);
    expect(store.get('big')).toEqual({ small: true });
    store.delete('big');
    expect(props.values.size).toBe(0);
  });

  it('a chunked overwrite cut short (daily Properties quota) leaves the old value readable, never a mix', () => {
    const props = new MemoryProperties();
    const store = new JsonStore(props);
    const before = { ids: Array.from({ length: 2_000 }, (_, i) => `old-${i}`) };
    const after = { ids: Array.from({ length: 2_000 }, (_, i) => `new-${i}`) };
    store.set('registry', before);
    expect(Math.ceil(JSON.stringify(after).length / MAX_CHUNK_CHARS)).toBe(3); // 3 chunks + the header: 4 writes
    for (let allowed = 0; allowed < 4; allowed++) {
      let writes = 0;
      const quota = props.setProperty.bind(props);
      props.setProperty = (key: string, value: string) => {
        if (++writes > allowed) throw new Error('Service invoked too many times for one day: properties.');
        quota(key, value);
      };
      expect(() => store.set('registry', after)).toThrow('Service invoked too many times for one day: properties.');
      props.setProperty = quota;
      expect(store.get('registry'), `cut after ${allowed} writes`).toEqual(before);
    }
    store.set('registry', after);
    expect(store.get('registry')).toEqual(after);
    // Only the current generation's chunks stay referenced; an older write's chunks are gone.
    store.set('registry', { small: true });
    expect(store.get('registry')).toEqual({ small: true });
    expect(store.entries('registry').map(([k]) => k)).toEqual(['registry']);
  });

  it('reads values chunked by older versions (key#0, key#1, ...)', () => {
    const props = new MemoryProperties();
    const text = JSON.stringify({ pad: 'y'.repeat(MAX_CHUNK_CHARS + 5) });
    props.values.set('old#0', text.slice(0, MAX_CHUNK_CHARS));
    props.values.set('old#1', text.slice(MAX_CHUNK_CHARS));
    props.values.set('old', '__chunks:2');
    const store = new JsonStore(props);
    expect(store.get('old')).toEqual(JSON.parse(text));
    store.set('old', 1);
    expect([...props.values.keys()]).toEqual(['old']);
  });

  it('lists entries by prefix without chunk parts', () => {
    const store = new JsonStore(new MemoryProperties());
    store.set('cmd:done:1', 1);
    store.set('cmd:done:2', { pad: 'x'.repeat(MAX_CHUNK_CHARS + 10) });
    store.set('form:1', 2);
    expect(
      store
        .entries('cmd:done:')
        .map(([k]) => k)
        .sort(),
    ).toEqual(['cmd:done:1', 'cmd:done:2']);
  });
});

describe('CommandLedger (idempotency of re-delivered commands)', () => {
  it('returns the stored result of a finished command and drops its progress', () => {
    const ledger = new CommandLedger(new JsonStore(new MemoryProperties()));
    ledger.saveProgress('cmd-1', { folderId: 'folder-1' });
    expect(ledger.progress('cmd-1')).toEqual({ folderId: 'folder-1' });
    ledger.recordResult('cmd-1', 'write_tab', { tabName: 'Gap_Analysis' });
    expect(ledger.storedResult('cmd-1')).toEqual({ type: 'write_tab', result: { tabName: 'Gap_Analysis' } });
    expect(ledger.progress('cmd-1')).toEqual({});
    expect(ledger.storedResult('cmd-2')).toBeUndefined();
  });

  it('prunes the oldest results beyond the cap', () => {
    const props = new MemoryProperties();
    let now = 0;
    const ledger = new CommandLedger(new JsonStore(props), () => ++now, 3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) ledger.recordResult(id, 'trash_files', { trashedFileIds: [id] });
    expect(['a', 'b', 'c', 'd', 'e'].filter((id) => ledger.storedResult(id))).toEqual(['c', 'd', 'e']);
  });

  it('marks a running command: a concurrent claim is told to leave it and hands over its lease token, under the lock', () => {
    let now = 1_000;
    let locked = 0;
    const ledger = new CommandLedger(
      new JsonStore(new MemoryProperties()),
      () => now,
      100,
      (fn) => {
        locked++;
        return fn();
      },
    );
    expect(ledger.beginRun('cmd-1', 'token-1', 5_000)).toBe('started');
    expect(ledger.beginRun('cmd-1', 'token-2', 9_000)).toBe('running_elsewhere');
    expect(ledger.takeHandover('cmd-1')).toBe('token-2');
    expect(ledger.takeHandover('cmd-1')).toBeUndefined(); // taken once
    expect(locked).toBe(4);

    // A mark whose execution can no longer be alive is ignored; an ended run leaves nothing behind.
    now = 6_000;
    expect(ledger.beginRun('cmd-1', 'token-3', 9_000)).toBe('started');
    ledger.endRun('cmd-1');
    expect(ledger.beginRun('cmd-1', 'token-4', 9_000)).toBe('started');
  });
});

describe('FormRegistry', () => {
  it('maps a form to its workflow and items, and remembers posted responses', () => {
    const registry = new FormRegistry(new JsonStore(new MemoryProperties()));
    registry.register('form-1', { workflowId: 'wf-1', itemQuestionIds: { '11': 'q1' } });
    registry.markPosted('form-1', ['r1']);
    registry.markPosted('form-1', ['r2']);
    expect(registry.get('form-1')).toEqual({ workflowId: 'wf-1', itemQuestionIds: { '11': 'q1' }, postedResponseIds: ['r1', 'r2'] });
    // Registering again (a resumed create_assessment_assets) keeps what was posted.
    registry.register('form-1', { workflowId: 'wf-1', itemQuestionIds: { '11': 'q1', '12': 'q2' } });
    expect(registry.get('form-1')?.postedResponseIds).toEqual(['r1', 'r2']);
    registry.markPosted('unknown', ['r']);
    expect(registry.get('unknown')).toBeUndefined();
  });
});
