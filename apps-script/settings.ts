import { z } from 'zod';

/**
 * Timing of executions and pumps. Defaults fit Google's limits (6 minutes per execution, a
 * sidebar that refreshes every few seconds). A developer may override them through script
 * properties (Project settings → Script properties), e.g. to shorten the post-submission pump in a
 * test deployment; instructors never see these.
 */

const ms = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).catch(def).default(def);

export const AddonSettings = z.object({
  /** Our share of the 6-minute execution limit: 30 s stay free for the last completion post. */
  PRESGEN_EXECUTION_BUDGET_MS: ms(330_000, 5_000, 360_000),
  /** A sidebar call (pumpNow included) gives up after this long so the sidebar stays responsive. */
  PRESGEN_SIDEBAR_BUDGET_MS: ms(25_000, 2_000, 330_000),
  /** After a submission the trigger keeps pumping this long, so steps 6–8 land right away. */
  PRESGEN_PUMP_AFTER_SUBMIT_MS: ms(240_000, 0, 330_000),
  /** ... but stops after this long without any command. */
  PRESGEN_PUMP_IDLE_STOP_MS: ms(120_000, 0, 330_000),
  PRESGEN_PUMP_POLL_MS: ms(5_000, 100, 60_000),
  /** The hourly safety-net pump. */
  PRESGEN_PUMP_HOURLY_MS: ms(240_000, 0, 330_000),
  /** Do not start a command with less than this left in the execution. */
  PRESGEN_COMMAND_RESERVE_MS: ms(30_000, 0, 120_000),
  /** Daily Workspace usage is reported to the backend at most this often (each report is a UrlFetch). */
  PRESGEN_QUOTA_REPORT_MS: ms(300_000, 0, 86_400_000),
  /**
   * What one command may take (a 20-question quiz is ~100 FormApp calls): a pump claims only as many
   * as fit in the time left, so none sits claimed-but-unstarted while its lease runs out.
   */
  PRESGEN_COMMAND_ESTIMATE_MS: ms(20_000, 100, 300_000),
  PRESGEN_CLAIM_BATCH: z.coerce.number().int().min(1).max(20).catch(5).default(5),
});
export type AddonSettings = z.infer<typeof AddonSettings>;

export function readSettings(scriptProperties: Record<string, string>): AddonSettings {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(AddonSettings.shape)) if (scriptProperties[key] !== undefined) picked[key] = scriptProperties[key];
  return AddonSettings.parse(picked);
}
