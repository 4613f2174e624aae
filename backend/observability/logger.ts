import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';
import { activeTraceFields } from './tracing';

/**
 * The one logger. Workflow and integration code never passes ids by hand: the engine runs each
 * step inside `withLogContext({ workflow_id, step, attempt })` and `log()` returns a child logger
 * that carries them. Redaction covers tokens, authorization headers, emails and learner answers.
 */

export interface LogContext {
  workflow_id?: string;
  step?: string;
  attempt?: number;
  correlation_id?: string;
  [key: string]: unknown;
}

export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  'token',
  'idToken',
  'leaseToken',
  'password',
  'secret',
  'apiKey',
  'email',
  'learnerEmail',
  'respondentEmail',
  'ownerEmail',
  'answers',
  'answer',
  '*.authorization',
  '*.token',
  '*.idToken',
  '*.leaseToken',
  '*.password',
  '*.email',
  '*.learnerEmail',
  '*.respondentEmail',
  '*.ownerEmail',
  '*.answers',
  '*.answer',
];

const context = new AsyncLocalStorage<LogContext>();

/** The production logger configuration; tests pass their own destination to capture lines. */
export function createLogger(destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: process.env.LOG_LEVEL ?? 'info',
      base: { service: 'presgen-assess' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // trace_id/span_id of the active span (only while tracing is on), to jump from a log line to its trace.
      mixin: activeTraceFields,
    },
    destination,
  );
}

let root: Logger = createLogger();

/** Tests capture logs by swapping the destination; production writes JSON lines to stdout. */
export function setRootLogger(logger: Logger): void {
  root = logger;
}

export function rootLogger(): Logger {
  return root;
}

/** The logger for the current async context: carries workflow_id/step/attempt when inside a step. */
export function log(): Logger {
  const ctx = context.getStore();
  return ctx ? root.child(ctx) : root;
}

export function withLogContext<T>(extra: LogContext, fn: () => T): T {
  const merged = { ...(context.getStore() ?? {}), ...extra };
  return context.run(merged, fn);
}

export function currentLogContext(): LogContext | undefined {
  return context.getStore();
}
