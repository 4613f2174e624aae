/**
 * The bundle runs in its own vm context (its own Array, Object, Date, Error). Values the emulator
 * hands to the script are rebuilt with the script's constructors, so `instanceof Date`,
 * `instanceof Error` and `Array.prototype` methods behave inside the script as they do in Apps Script;
 * values returned to the test are rebuilt with the host's constructors.
 */
import vm from 'node:vm';
import { isHandle } from './handles';

export interface Realm {
  Array: ArrayConstructor;
  Object: ObjectConstructor;
  Date: DateConstructor;
  Error: ErrorConstructor;
  Function: FunctionConstructor;
}

export function realmOf(context: vm.Context): Realm {
  // The real Date, captured before the clock shim replaces it.
  return vm.runInContext('({ Array, Object, Date, Error, Function })', context) as Realm;
}

export const hostRealm: Realm = { Array, Object, Date, Error, Function };

export function isDateLike(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Deep-copies arrays, plain objects and dates into `realm`; handles and primitives pass through. */
export function intoRealm(value: unknown, realm: Realm, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (isHandle(value)) return value;
  if (isDateLike(value)) return new realm.Date(value.getTime());
  if (Array.isArray(value)) {
    const out = new realm.Array();
    for (const item of value) out.push(intoRealm(item, realm, depth + 1));
    return out;
  }
  if (isPlainObject(value)) {
    const out = new realm.Object() as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = intoRealm(v, realm, depth + 1);
    return out;
  }
  return value;
}

/** An Apps Script exception: an Error of the script's realm named "Exception", as V8 Apps Script shows. */
export function scriptError(message: string, realm: Realm): Error {
  const err = new realm.Error(message);
  err.name = 'Exception';
  return err;
}

/** What the test sees when an execution throws. */
export class ScriptExecutionError extends Error {
  constructor(
    message: string,
    readonly functionName: string,
    readonly scriptStack?: string,
  ) {
    super(message);
    this.name = 'ScriptExecutionError';
  }
}

export function messageOf(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
