/**
 * Real Prometheus tooling for tests: locate the Debian `promtool`/`prometheus` binaries unpacked
 * by scripts/ci/install-prometheus.sh, run promtool, and start a throwaway Prometheus server on
 * loopback that scrapes one target and answers PromQL through its HTTP API.
 *
 * Missing binaries are an error with the fix in the message, never a skip: CI installs them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const INSTALL_SCRIPT = 'scripts/ci/install-prometheus.sh';
const TOOLS_BIN_DIR = join(REPO_ROOT, '.tools/prometheus/usr/bin');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `.tools/prometheus/usr/bin/<name>` first (the pinned Debian build), then PATH. */
export function locatePrometheusBinary(name: 'promtool' | 'prometheus'): string {
  const candidates = [
    join(TOOLS_BIN_DIR, name),
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, name)),
  ];
  const found = candidates.find(isExecutable);
  if (!found) {
    throw new Error(`${name} not found in ${TOOLS_BIN_DIR} or PATH: run ${INSTALL_SCRIPT} (CI runs it before the tests)`);
  }
  return found;
}

export interface PromtoolResult {
  code: number | null;
  output: string;
}

/** Runs promtool synchronously (it is quick) and returns its exit code and combined output. */
export function runPromtool(args: string[], cwd = REPO_ROOT): PromtoolResult {
  const result = spawnSync(locatePrometheusBinary('promtool'), args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

// --- Prometheus server ------------------------------------------------------------------------

const TargetAddress = z.string().regex(/^[\w.-]+:\d{1,5}$/, 'target must be host:port');

const PromValue = z.tuple([z.number(), z.string()]);
const QueryResponse = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({
        resultType: z.literal('vector'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: PromValue })),
      }),
      z.object({ resultType: z.literal('scalar'), result: PromValue }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: PromValue }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

export interface StartPrometheusOptions {
  /** `host:port` of the /metrics endpoint to scrape. */
  target: string;
  metricsPath?: string;
  scrapeIntervalSeconds?: number;
  jobName?: string;
  /** Upper bound for the server to become ready. */
  startTimeoutMs?: number;
}

export interface WaitForValueOptions {
  timeoutMs?: number;
  pollIntervalMs?: number;
  /** Which value ends the wait; default: any finite number. */
  accept?: (value: number) => boolean;
}

export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Instant query. undefined for an empty result; throws when the result has several series. */
  query(promql: string): Promise<number | undefined>;
  queryVector(promql: string): Promise<PromSample[]>;
  /** Polls `query` until `accept(value)`; throws with the last value after timeoutMs. */
  waitForValue(promql: string, options?: WaitForValueOptions): Promise<number>;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its config and storage. Idempotent. */
  close(): Promise<void>;
}

/** Prometheus encodes sample values as strings, including NaN and ±Inf. */
function parsePromValue(raw: string): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(raw);
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function configYaml(options: Required<Omit<StartPrometheusOptions, 'startTimeoutMs'>>): string {
  const interval = `${options.scrapeIntervalSeconds}s`;
  // scrape_timeout may not exceed scrape_interval (the default 10 s would be rejected at 1 s).
  return [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(options.jobName)}`,
    `    metrics_path: ${JSON.stringify(options.metricsPath)}`,
    '    static_configs:',
    `      - targets: [${JSON.stringify(options.target)}]`,
    '',
  ].join('\n');
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => resolveExit(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit(true);
    });
  });
}

export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const settings = {
    target: TargetAddress.parse(options.target),
    metricsPath: options.metricsPath ?? '/metrics',
    scrapeIntervalSeconds: options.scrapeIntervalSeconds ?? 1,
    jobName: options.jobName ?? 'presgen',
  };
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const binary = locatePrometheusBinary('prometheus');
  const workDir = mkdtempSync(join(tmpdir(), 'presgen-prometheus-'));
  const configPath = join(workDir, 'prometheus.yml');
  writeFileSync(configPath, configYaml(settings));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(
    binary,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let logTail = '';
  const keepTail = (chunk: Buffer) => {
    logTail = (logTail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  // A crashed test worker must not leave a Prometheus behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    process.removeListener('exit', killOnExit);
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
    rmSync(workDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await close();
      throw new Error(`prometheus exited during start-up (code ${child.exitCode}):\n${logTail}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`prometheus not ready after ${startTimeoutMs} ms:\n${logTail}`);
    }
    await sleep(100);
  }

  const queryVector = async (promql: string): Promise<PromSample[]> => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
    const body = QueryResponse.parse(await response.json());
    if (body.status === 'error') throw new Error(`prometheus query failed (${body.errorType}): ${body.error} — query: ${promql}`);
    const { data } = body;
    if (data.resultType === 'vector') return data.result.map((s) => ({ labels: s.metric, value: parsePromValue(s.value[1]) }));
    if (data.resultType === 'scalar') return [{ labels: {}, value: parsePromValue(data.result[1]) }];
    throw new Error(`expected an instant vector or scalar, got ${data.resultType} — query: ${promql}`);
  };

  const query = async (promql: string): Promise<number | undefined> => {
    const samples = await queryVector(promql);
    if (samples.length > 1) {
      throw new Error(`query returned ${samples.length} series, expected one (aggregate it): ${promql}`);
    }
    return samples[0]?.value;
  };

  const waitForValue = async (promql: string, waitOptions: WaitForValueOptions = {}): Promise<number> => {
    const { timeoutMs = 15_000, pollIntervalMs = 250, accept = Number.isFinite } = waitOptions;
    const until = Date.now() + timeoutMs;
    let last: number | undefined;
    for (;;) {
      last = await query(promql);
      if (last !== undefined && accept(last)) return last;
      if (Date.now() > until) throw new Error(`no accepted value for ${promql} within ${timeoutMs} ms (last: ${last})`);
      await sleep(pollIntervalMs);
    }
  };

  return { url, query, queryVector, waitForValue, close };
}
