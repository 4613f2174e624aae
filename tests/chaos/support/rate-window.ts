/**
 * Checks arrival times against a token-bucket limit: in ANY window [t_i, t_j] of sorted arrivals,
 * the count (j - i + 1) may not exceed rate × (t_j - t_i) + burst. Returns the worst window
 * (largest excess; <= 0 means the limit held) so a failure message shows where it broke.
 */
export interface WindowExcess {
  excess: number;
  count: number;
  spanMs: number;
  allowed: number;
}

export function worstWindow(arrivalsMs: number[], ratePerSec: number, burst: number, slackMs = 0): WindowExcess {
  const times = [...arrivalsMs].sort((a, b) => a - b);
  let worst: WindowExcess = { excess: Number.NEGATIVE_INFINITY, count: 0, spanMs: 0, allowed: 0 };
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) {
      const spanMs = times[j] - times[i];
      const count = j - i + 1;
      // slackMs: delivery jitter between the limiter granting a token and the request arriving.
      const allowed = (ratePerSec * (spanMs + slackMs)) / 1000 + burst;
      const excess = count - allowed;
      if (excess > worst.excess) worst = { excess, count, spanMs, allowed };
    }
  }
  return worst;
}
