import { z } from 'zod';
import { ConfigError } from '../config';

/**
 * The OTEL_* variables that decide whether tracing starts, validated like every other setting.
 * The OTLP exporter and batch processor read the rest of the standard variables themselves
 * (OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_BSP_SCHEDULE_DELAY, ...).
 * Tracing is on when an endpoint is set, unless OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 */
const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional());

export const TracingEnv = z
  .object({
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
    OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).optional(),
    OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none', '']).optional(),
    OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/json', '']).optional(),
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/json', '']).optional(),
    OTEL_SERVICE_NAME: z.string().min(1).max(200).optional(),
  })
  .transform((env) => ({
    enabled:
      Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
      env.OTEL_SDK_DISABLED !== 'true' &&
      env.OTEL_TRACES_EXPORTER !== 'none',
    serviceName: env.OTEL_SERVICE_NAME ?? 'presgen-assess',
    /** Per the OTLP spec: the signal-specific URL as is, else the base endpoint + /v1/traces. */
    tracesUrl:
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
      (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` : undefined),
  }));
export type TracingEnv = z.infer<typeof TracingEnv>;

/** Parses the tracing variables; a bad value is a ConfigError naming the variable (the process stops). */
export function loadTracingEnv(env: Record<string, string | undefined>): TracingEnv {
  const parsed = TracingEnv.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
