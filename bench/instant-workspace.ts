import type { Database } from '../backend/db/client';
import type { WorkspaceCommandQueue } from '../backend/workspace/command-queue';
import { recordFormSubmission } from '../backend/workspace/form-submissions';
import { WAKE_CHANNEL } from '../backend/leased-work/wake-channel';
import { WorkerLoop } from '../backend/leased-work/worker-loop';
import type { ClaimedCommand, CreateAssessmentAssetsPayload } from '../shared/contracts/commands';
import { resultFor } from '../tests/support/scripted-apps-script';

/**
 * A zero-latency Apps Script and learner for the benchmark: claims commands straight from the
 * queue as soon as they are enqueued, completes them, and answers each form the moment it
 * exists. What remains measured is the engine, the database and the PresGen round trips.
 */
export class InstantWorkspace {
  private readonly loop: WorkerLoop;
  commandsExecuted = 0;

  constructor(
    private readonly database: Database,
    private readonly commands: WorkspaceCommandQueue,
    private readonly ownerEmail: string,
  ) {
    this.loop = new WorkerLoop({
      name: 'instant workspace',
      round: () => this.runClaimed(),
      idleMaxMs: 200,
      errorBackoffMs: 200,
      listen: { database, channel: WAKE_CHANNEL.commands },
    });
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async runClaimed(): Promise<number | null> {
    const claimed = await this.commands.claim(this.ownerEmail, { max: 100 });
    await Promise.all(
      claimed.map(async (row) => {
        const command = {
          ...row,
          leaseToken: row.leaseToken!,
          leaseExpiresAt: row.leaseExpiresAt!.toISOString(),
          attempt: row.attempts,
        } as unknown as ClaimedCommand;
        const result = resultFor(command);
        await this.commands.complete(this.ownerEmail, row.id, { leaseToken: row.leaseToken!, result });
        this.commandsExecuted++;
        if (command.type === 'create_assessment_assets') await this.answer(command.payload, result as { formId: string });
      }),
    );
    return claimed.length > 0 ? 0 : null;
  }

  /** The learner answers at once: half right, half wrong. */
  private async answer(payload: CreateAssessmentAssetsPayload, assets: { formId: string }): Promise<void> {
    await recordFormSubmission(
      this.database,
      {
        formId: assets.formId,
        responseId: `bench-${assets.formId}`,
        respondentEmail: payload.learnerEmail,
        submittedAt: new Date().toISOString(),
        answers: payload.items.map((item, i) => ({
          questionId: item.questionId,
          answer: item.choices[i % 2 ? item.correctIndex : (item.correctIndex + 1) % item.choices.length],
        })),
      },
      { ownerEmail: this.ownerEmail },
    );
  }
}
