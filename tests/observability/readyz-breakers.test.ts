/** /readyz lists the circuit breaker of every configured outbound service before any call is made. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../backend/runtime';
import { startTestBackend, testConfig } from '../support/backend';

describe('/readyz circuits', () => {
  let runtime: Runtime & { url: string };

  beforeAll(async () => {
    // Slack configured (never called here), no Phase 2 API: the built-in assessment engine.
    runtime = await startTestBackend(testConfig(undefined, { SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/hooks/unused' }), {
      runWorkers: false,
    });
  }, 180_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('lists every configured service as closed before its first call, and no service that is not configured', async () => {
    const res = await fetch(`${runtime.url}/readyz`);
    const body = (await res.json()) as { circuits: Record<string, string> };
    expect(body.circuits).toEqual({ presgen_core: 'closed', presgen_avatar: 'closed', slack: 'closed' });
  });
});
