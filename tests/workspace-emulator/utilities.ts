/** Utilities, Session, Logger and console. Utilities.sleep advances the simulated clock. */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { formatDate } from './format-date';
import { makeHandle } from './handles';
import { hasScope, SCOPE } from './manifest';
import { isDateLike } from './realm';
import type { Runtime } from './runtime';
import type { LogLine } from './state';

export const MAX_SLEEP_MS = 300_000;

/** Apps Script byte arrays are plain arrays of signed bytes. */
export function toSignedBytes(buffer: Buffer): number[] {
  return [...new Int8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)];
}

export function bufferFrom(data: unknown): Buffer {
  if (Array.isArray(data)) return Buffer.from(Int8Array.from(data as number[]).buffer);
  return Buffer.from(String(data ?? ''), 'utf8');
}

export function blobHandle(rt: Runtime, bytes: Buffer, contentType: string | null, name: string | null): object {
  const model = { bytes, contentType, name };
  const self: object = makeHandle(rt, 'Blob', {
    getBytes: () => toSignedBytes(model.bytes),
    getDataAsString: () => model.bytes.toString('utf8'),
    getContentType: () => model.contentType,
    setContentType: (type: string) => {
      model.contentType = String(type);
      return self;
    },
    getName: () => model.name,
    setName: (n: string) => {
      model.name = String(n);
      return self;
    },
    copyBlob: () => blobHandle(rt, Buffer.from(model.bytes), model.contentType, model.name),
    isGoogleType: () => false,
  });
  return self;
}

const DIGESTS: Record<string, string> = { MD2: 'md2', MD5: 'md5', SHA_1: 'sha1', SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' };

export function scriptTimeZone(rt: Runtime): string {
  return rt.manifest.timeZone ?? 'Etc/GMT';
}

export function createUtilities(rt: Runtime): object {
  return makeHandle(rt, 'Utilities', {
    DigestAlgorithm: Object.fromEntries(Object.keys(DIGESTS).map((k) => [k, k])),
    Charset: { UTF_8: 'UTF_8', US_ASCII: 'US_ASCII' },
    sleep: (ms: number) => {
      const n = Number(ms);
      if (!Number.isFinite(n) || n < 0 || n > MAX_SLEEP_MS) rt.fail('Invalid argument: milliseconds');
      rt.advanceClock(n);
    },
    formatDate: (date: unknown, timeZone: string, pattern: string) => {
      if (!isDateLike(date)) rt.fail("The parameters don't match the method signature for Utilities.formatDate.");
      try {
        return formatDate(date, String(timeZone), String(pattern));
      } catch (err) {
        return rt.fail(`Invalid argument: ${(err as Error).message}`);
      }
    },
    formatString: (template: string, ...args: unknown[]) => format(String(template), ...args),
    getUuid: () => randomUUID(),
    base64Encode: (data: unknown) => bufferFrom(data).toString('base64'),
    base64EncodeWebSafe: (data: unknown) => bufferFrom(data).toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
    base64Decode: (text: string) => toSignedBytes(Buffer.from(String(text), 'base64')),
    base64DecodeWebSafe: (text: string) => toSignedBytes(Buffer.from(String(text), 'base64url')),
    newBlob: (data: unknown, contentType?: string, name?: string) => blobHandle(rt, bufferFrom(data), contentType ?? null, name ?? null),
    computeDigest: (algorithm: string, value: unknown) => {
      const hash = DIGESTS[String(algorithm)];
      if (!hash) rt.fail('Invalid argument: algorithm');
      return toSignedBytes(createHash(hash).update(bufferFrom(value)).digest());
    },
    computeHmacSha256Signature: (value: unknown, key: unknown) =>
      toSignedBytes(createHmac('sha256', bufferFrom(key)).update(bufferFrom(value)).digest()),
  });
}

export function createSession(rt: Runtime): object {
  const user = (email: string) =>
    makeHandle(rt, 'User', {
      email,
      // Without the userinfo.email scope Google hands scripts an empty address.
      getEmail: () => (hasScope(rt.manifest, SCOPE.userinfoEmail) ? email : ''),
    });
  return makeHandle(rt, 'Session', {
    getActiveUser: () => user(rt.options.user.email),
    getEffectiveUser: () => user(rt.options.user.email),
    getScriptTimeZone: () => scriptTimeZone(rt),
    getActiveUserLocale: () => 'en',
    getTemporaryActiveUserKey: () => createHash('sha256').update(rt.options.user.sub).digest('base64url').slice(0, 32),
  });
}

function logLine(rt: Runtime, level: LogLine['level'], args: unknown[]): string {
  const message = format(...(args as [unknown, ...unknown[]]));
  rt.state.logs.push({ executionId: rt.current?.id ?? 0, level, message });
  return message;
}

export function createLogger(rt: Runtime): object {
  const self: object = makeHandle(rt, 'Logger', {
    log: (...args: unknown[]) => {
      logLine(rt, 'log', args);
      return self;
    },
    getLog: () =>
      rt.state.logs
        .filter((l) => l.executionId === rt.current?.id)
        .map((l) => l.message)
        .join('\n'),
    clear: () => {
      rt.state.logs = rt.state.logs.filter((l) => l.executionId !== rt.current?.id);
    },
  });
  return self;
}

export function createConsole(rt: Runtime): object {
  const at =
    (level: LogLine['level']) =>
    (...args: unknown[]) => {
      logLine(rt, level, args);
    };
  return makeHandle(rt, 'console', { log: at('log'), info: at('info'), warn: at('warn'), error: at('error'), debug: at('log') });
}
