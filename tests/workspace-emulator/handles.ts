/**
 * Service objects handed to the script ("handles") are Proxies over small implementation objects.
 * Every method call goes through one gate, which counts it, enforces budget, scopes and quotas and
 * moves values between realms. A method the emulator lacks throws a clear "not implemented" error
 * instead of `undefined is not a function`.
 */

export type HandleKind = string;

/** The runtime side of every call; implemented by Runtime. */
export interface CallGate {
  invoke(kind: HandleKind, method: string, call: () => unknown): unknown;
  notImplemented(kind: HandleKind, method: string): never;
}

interface HandleInfo {
  kind: HandleKind;
  impl: object;
}

const handles = new WeakMap<object, HandleInfo>();

/** Property names probed by runtimes and libraries (promises, JSON, inspection), never "not implemented". */
const PASSIVE_PROPERTIES = new Set(['then', 'toJSON', 'constructor', 'inspect', 'asymmetricMatch', 'nodeType', '$$typeof']);

export function makeHandle<T extends object>(gate: CallGate, kind: HandleKind, impl: T): T {
  const wrapped = new Map<string, (...args: unknown[]) => unknown>();
  const proxy = new Proxy(impl, {
    get(target, prop) {
      if (typeof prop === 'symbol') return Reflect.get(target, prop);
      if (prop === 'toString') return () => kind;
      if (!(prop in target)) {
        if (PASSIVE_PROPERTIES.has(prop)) return undefined;
        return () => gate.notImplemented(kind, prop);
      }
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        fn = (...args: unknown[]) => gate.invoke(kind, prop, () => (value as (...a: unknown[]) => unknown).apply(target, args));
        wrapped.set(prop, fn);
      }
      return fn;
    },
    // Scripts may set properties on some objects (HtmlTemplate variables); store them on the impl.
    set(target, prop, value) {
      return Reflect.set(target, prop, value);
    },
  });
  handles.set(proxy, { kind, impl });
  return proxy;
}

export function isHandle(value: unknown): boolean {
  return typeof value === 'object' && value !== null && handles.has(value);
}

export function handleKind(value: unknown): HandleKind | undefined {
  return typeof value === 'object' && value !== null ? handles.get(value)?.kind : undefined;
}

/** The implementation behind a handle of the expected kind(s), or undefined. */
export function unwrapHandle<T>(value: unknown, ...kinds: HandleKind[]): T | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const info = handles.get(value);
  if (!info || (kinds.length > 0 && !kinds.includes(info.kind))) return undefined;
  return info.impl as T;
}
