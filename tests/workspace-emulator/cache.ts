/** CacheService: script, user and document caches with expiry on the simulated clock. */
import { makeHandle } from './handles';
import type { Runtime } from './runtime';
import { getOrCreate, type CacheEntry } from './state';

const DEFAULT_TTL_SECONDS = 600;
const MAX_TTL_SECONDS = 21_600;
const MAX_KEY_LENGTH = 250;
const MAX_VALUE_BYTES = 100 * 1024;

function cacheHandle(rt: Runtime, store: () => Map<string, CacheEntry>): object {
  const read = (key: string): string | null => {
    const entry = store().get(key);
    if (!entry) return null;
    if (entry.expiresAt <= rt.now()) {
      store().delete(key);
      return null;
    }
    return entry.value;
  };
  const write = (key: unknown, value: unknown, ttlSeconds?: number) => {
    const k = String(key);
    const v = String(value);
    if (k.length > MAX_KEY_LENGTH) rt.fail('Argument too large: key');
    if (Buffer.byteLength(v) > MAX_VALUE_BYTES) rt.fail('Argument too large: value');
    const ttl = Math.min(Math.max(1, ttlSeconds ?? DEFAULT_TTL_SECONDS), MAX_TTL_SECONDS);
    store().set(k, { value: v, expiresAt: rt.now() + ttl * 1000 });
  };
  return makeHandle(rt, 'Cache', {
    get: (key: string) => read(String(key)),
    getAll: (keys: unknown) => {
      const out: Record<string, string> = {};
      for (const key of Array.isArray(keys) ? keys : []) {
        const value = read(String(key));
        if (value !== null) out[String(key)] = value;
      }
      return out;
    },
    put: (key: string, value: unknown, ttlSeconds?: number) => write(key, value, ttlSeconds),
    putAll: (values: Record<string, unknown>, ttlSeconds?: number) => {
      for (const [key, value] of Object.entries(values ?? {})) write(key, value, ttlSeconds);
    },
    remove: (key: string) => {
      store().delete(String(key));
    },
    removeAll: (keys: unknown) => {
      for (const key of Array.isArray(keys) ? keys : []) store().delete(String(key));
    },
  });
}

export function createCacheService(rt: Runtime): object {
  const { caches } = rt.state;
  return makeHandle(rt, 'CacheService', {
    getScriptCache: () => cacheHandle(rt, () => caches.script),
    getUserCache: () => cacheHandle(rt, () => getOrCreate(caches.user, rt.options.user.email, () => new Map())),
    getDocumentCache: () => cacheHandle(rt, () => getOrCreate(caches.document, rt.activeSpreadsheetId, () => new Map())),
  });
}
