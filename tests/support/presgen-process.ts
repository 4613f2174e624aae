import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The PresGen simulators in a child process of their own, so a test can count the jobs they
 * were asked for (the backend process would otherwise start private ones). Fetch the stats only
 * between emulator runs: during one, this thread is blocked.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY = /^PRESGEN_SIMULATORS (\{.*\})$/m;

const KeyStats = z.object({ jobsCreated: z.number(), submits: z.number() });
const SimulatorStats = z.object({ jobsByIdempotencyKey: z.record(z.string(), KeyStats) }).loose();
export type SimulatorStats = z.infer<typeof SimulatorStats>;

export interface PresgenProcess {
  coreUrl: string;
  avatarUrl: string;
  coreStats(): Promise<SimulatorStats>;
  avatarStats(): Promise<SimulatorStats>;
  close(): Promise<void>;
}

export async function startPresgenProcess(jobMs: number): Promise<PresgenProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'backend/simulators/start-simulators.ts', '--core-port=0', '--avatar-port=0', `--job-ms=${jobMs}`],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const urls = await new Promise<{ core: string; avatar: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PresGen simulators did not start:\n${output.slice(-2000)}`)), 30_000);
    child.stdout!.on('data', (d) => {
      output += d;
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(JSON.parse(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PresGen simulators exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  const stats = async (base: string) => SimulatorStats.parse(await (await fetch(`${base}/__control/stats`)).json());
  return {
    coreUrl: urls.core,
    avatarUrl: urls.avatar,
    coreStats: () => stats(urls.core),
    avatarStats: () => stats(urls.avatar),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
