/**
 * PropertiesService: script, user and document stores with Google's size limits (9 KB per value,
 * 500 KB per store) and the daily "Properties read/write" quota (consumer figure, the stricter):
 * every read or write of a store counts one, whole-store reads included; a call over the quota
 * throws Google's text and changes nothing.
 */
import { makeHandle } from './handles';
import type { Runtime } from './runtime';
import { getOrCreate } from './state';

export const PROPERTY_VALUE_MAX_BYTES = 9 * 1024;
export const PROPERTY_STORE_MAX_BYTES = 500 * 1024;

function storeBytes(store: Map<string, string>): number {
  let total = 0;
  for (const [k, v] of store) total += Buffer.byteLength(k) + Buffer.byteLength(v);
  return total;
}

function propertiesHandle(rt: Runtime, store: () => Map<string, string>): object {
  const put = (entries: [string, unknown][]) => {
    const target = store();
    const next = new Map(target);
    for (const [key, value] of entries) {
      const text = String(value);
      if (Buffer.byteLength(text) > PROPERTY_VALUE_MAX_BYTES) rt.fail('Argument too large: value');
      next.set(String(key), text);
    }
    if (storeBytes(next) > PROPERTY_STORE_MAX_BYTES) {
      rt.fail('You have exceeded the property storage quota. Please remove some properties and try again.');
    }
    for (const [key, value] of next) target.set(key, value);
  };
  const charge = () => rt.chargeQuota('PropertiesService.readWrite', 1);
  const self: object = makeHandle(rt, 'Properties', {
    getProperty: (key: string) => {
      charge();
      return store().get(String(key)) ?? null;
    },
    setProperty: (key: string, value: unknown) => {
      charge();
      put([[String(key), value]]);
      return self;
    },
    setProperties: (values: Record<string, unknown>, deleteAllOthers?: boolean) => {
      charge();
      if (deleteAllOthers === true) store().clear();
      put(Object.entries(values ?? {}));
      return self;
    },
    getProperties: () => {
      charge();
      return Object.fromEntries(store());
    },
    getKeys: () => {
      charge();
      return [...store().keys()];
    },
    deleteProperty: (key: string) => {
      charge();
      store().delete(String(key));
      return self;
    },
    deleteAllProperties: () => {
      charge();
      store().clear();
      return self;
    },
  });
  return self;
}

export function createPropertiesService(rt: Runtime): object {
  const { properties } = rt.state;
  return makeHandle(rt, 'PropertiesService', {
    getScriptProperties: () => propertiesHandle(rt, () => properties.script),
    getUserProperties: () => propertiesHandle(rt, () => getOrCreate(properties.user, rt.options.user.email, () => new Map())),
    getDocumentProperties: () =>
      rt.documentless ? null : propertiesHandle(rt, () => getOrCreate(properties.document, rt.activeSpreadsheetId, () => new Map())),
  });
}
