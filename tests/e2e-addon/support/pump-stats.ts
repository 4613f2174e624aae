import { z } from 'zod';

/** What the add-on's pump entry points return (apps-script/pump.ts PumpStats), checked at the boundary. */
export const PumpStats = z.object({
  claimed: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  replayed: z.number(),
  invalid: z.number(),
  staleLeases: z.number(),
  deferred: z.number(),
  runningElsewhere: z.number(),
  leaseRenewals: z.number(),
  backendError: z.string().optional(),
});
export type PumpStats = z.infer<typeof PumpStats>;

export const pumpStats = (value: unknown): PumpStats => PumpStats.parse(value);
