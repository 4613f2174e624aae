/**
 * LockService. A lock is contended when a test says another execution holds it
 * (Runtime.foreignLocks) or when an overlapping execution that is still running holds it. An
 * overlapping execution runs to its end inside one call of the execution it overlaps, so that one
 * cannot release meanwhile: waiting for its lock always times out (the stricter case). Waiting
 * advances the simulated clock by the timeout; locks an execution still holds are released when it
 * ends, as in Apps Script.
 */
import { makeHandle } from './handles';
import type { LockScope, Runtime } from './runtime';

export const LOCK_TIMEOUT_MESSAGE = 'Lock timeout: another process was holding the lock for too long.';

export function lockKey(rt: Runtime, scope: LockScope): string {
  if (scope === 'user') return `user:${rt.options.user.email}`;
  if (scope === 'document') return `document:${rt.activeSpreadsheetId}`;
  return 'script';
}

function lockHandle(rt: Runtime, scope: LockScope): object {
  const key = lockKey(rt, scope);
  const execution = () => rt.current!;
  const acquire = (timeoutMs: number): boolean => {
    const heldByOther = rt.live.some((ex) => ex !== execution() && ex.heldLocks.has(key));
    if (rt.foreignLocks.has(key) || heldByOther) {
      rt.advanceClock(Math.max(0, Number(timeoutMs) || 0));
      return false;
    }
    execution().heldLocks.add(key);
    return true;
  };
  return makeHandle(rt, 'Lock', {
    tryLock: (timeoutMs: number) => acquire(timeoutMs),
    waitLock: (timeoutMs: number) => {
      if (!acquire(timeoutMs)) rt.fail(LOCK_TIMEOUT_MESSAGE);
    },
    hasLock: () => execution().heldLocks.has(key),
    releaseLock: () => {
      execution().heldLocks.delete(key);
    },
  });
}

export function createLockService(rt: Runtime): object {
  return makeHandle(rt, 'LockService', {
    getScriptLock: () => lockHandle(rt, 'script'),
    getUserLock: () => lockHandle(rt, 'user'),
    // Google: null when the script runs outside a document (a time-driven trigger).
    getDocumentLock: () => (rt.documentless ? null : lockHandle(rt, 'document')),
  });
}
