import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboundHttpClient } from '../../backend/integration/http-client';
import { PresgenCoreClient } from '../../backend/integration/presgen-core-client';
import { circuitState } from '../../backend/observability/metrics';
import { startPresgenSimulator, type PresgenSimulator } from '../../backend/simulators/presgen-simulator';
import { PermanentError, TransientError } from '../../backend/errors';
import { caught, deckInput, externalCount, sleep } from './fixtures';

const HALF_OPEN_AFTER_MS = 100;

let sim: PresgenSimulator;

beforeAll(async () => {
  sim = await startPresgenSimulator({ kind: 'core' });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => sim.reset());

function clientWith(consecutiveFailures: number, retries = 0) {
  const http = new OutboundHttpClient({
    retries,
    minRetryDelayMs: 1,
    maxRetryDelayMs: 10,
    breaker: { consecutiveFailures, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
  });
  return { http, core: new PresgenCoreClient({ baseUrl: sim.url, http }) };
}

async function gauge(service: string): Promise<number | undefined> {
  return (await circuitState.get()).values.find((v) => v.labels.service === service)?.value;
}

describe('circuit breaker per service', () => {
  it('opens after N consecutive transient failures, fails fast, half-opens, re-opens on a failed test, closes on success', async () => {
    const { http, core } = clientWith(3);
    sim.injectFaults({ rules: [{ type: 'unavailable' }] });

    for (let i = 0; i < 3; i += 1) {
      const err = await caught(() => core.submit(deckInput(), `k-${i}`));
      expect((err as TransientError).reason).toBe('http_5xx');
    }
    expect(http.breakerStates()).toEqual({ presgen_core: 'open' });
    expect(await gauge('presgen_core')).toBe(2);

    const openBefore = await externalCount('presgen_core', 'submit', 'circuit_open');
    for (let i = 0; i < 2; i += 1) {
      const err = await caught(() => core.submit(deckInput(), 'k-fast'));
      expect(err).toBeInstanceOf(TransientError);
      expect((err as TransientError).reason).toBe('circuit_open');
      expect((err as TransientError).retryAfterMs).toBeLessThanOrEqual(HALF_OPEN_AFTER_MS);
    }
    expect(sim.stats().submitRequests).toBe(3); // the fail-fast calls never reached the server
    expect(await externalCount('presgen_core', 'submit', 'circuit_open')).toBe(openBefore + 2);

    // The half-open test call still fails: the circuit opens again at once.
    await sleep(HALF_OPEN_AFTER_MS + 20);
    expect(((await caught(() => core.submit(deckInput(), 'k-test'))) as TransientError).reason).toBe('http_5xx');
    expect(http.breakerStates().presgen_core).toBe('open');
    expect(((await caught(() => core.submit(deckInput(), 'k-test'))) as TransientError).reason).toBe('circuit_open');
    expect(sim.stats().submitRequests).toBe(4);

    // Service recovers: the next test call succeeds and closes the circuit.
    sim.clearFaults();
    await sleep(HALF_OPEN_AFTER_MS + 20);
    const ok = await core.submit(deckInput(), 'k-recovered');
    expect(ok.jobId).toBeTruthy();
    expect(http.breakerStates().presgen_core).toBe('closed');
    expect(await gauge('presgen_core')).toBe(0);
    expect(sim.stats().submitRequests).toBe(5);
  });

  it('does not count 4xx answers as failures', async () => {
    const { http, core } = clientWith(2);
    sim.injectFaults({ rules: [{ type: 'bad_request' }] });
    for (let i = 0; i < 5; i += 1) {
      expect(await caught(() => core.submit(deckInput(), `k-${i}`))).toBeInstanceOf(PermanentError);
    }
    expect(sim.stats().submitRequests).toBe(5);
    expect(http.breakerStates().presgen_core).toBe('closed');
  });

  it('stops in-request retries once the circuit opens', async () => {
    const { http, core } = clientWith(2, 5);
    sim.injectFaults({ rules: [{ type: 'server_error' }] });
    const err = await caught(() => core.submit(deckInput(), 'k-retry'));
    expect((err as TransientError).reason).toBe('circuit_open');
    expect(sim.stats().submitRequests).toBe(2);
    expect(http.breakerStates().presgen_core).toBe('open');
  });

  it('keeps one breaker per service', async () => {
    const { http, core } = clientWith(1);
    sim.injectFaults({ rules: [{ type: 'unavailable', count: 1 }] });
    await caught(() => core.submit(deckInput(), 'k'));
    const avatarSim = await startPresgenSimulator({ kind: 'avatar' });
    try {
      const health = await http.request(
        { service: 'presgen_avatar', operation: 'health', method: 'GET', url: `${avatarSim.url}/healthz` },
        z.object({ ok: z.literal(true) }),
      );
      expect(health.ok).toBe(true);
    } finally {
      await avatarSim.close();
    }
    expect(http.breakerStates()).toEqual({ presgen_core: 'open', presgen_avatar: 'closed' });
  });
});
