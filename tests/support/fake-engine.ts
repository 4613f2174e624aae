import { z } from 'zod';
import { createWorkflow } from '../../backend/db/repositories/workflow-repository';
import type { Database } from '../../backend/db/client';
import type { EngineDeps } from '../../backend/workflow/engine-deps';
import { WorkflowEngine, type WorkflowEngineOptions } from '../../backend/workflow/engine';
import { defineStep, done, type StepHandler, type StepResult } from '../../backend/workflow/step-registry';
import type { StepStatus } from '../../shared/workflow-status';

/**
 * The real engine on a real database with fake steps and no integrations: for fast tests of the
 * engine's own behaviour (failure path, policies, definition versions). No HTTP, no simulators.
 */

export function fakeDeps(database: Database, extra: Partial<EngineDeps> = {}): EngineDeps {
  return {
    database,
    assessment: {},
    commands: {},
    presgen: {},
    settings: { completionTimeoutMs: 60_000, completionRemindersMs: [], featureAvatarVideos: true, featurePublicSharing: true },
    now: () => new Date(),
    ...extra,
  } as unknown as EngineDeps;
}

export function fakeEngine(
  database: Database,
  opts: Partial<Omit<WorkflowEngineOptions, 'deps'>> & { steps: ReadonlyMap<StepStatus, StepHandler>; deps?: Partial<EngineDeps> },
): WorkflowEngine {
  return new WorkflowEngine({
    concurrency: 4,
    leaseMs: 300,
    maxAttempts: 6,
    retryBaseMs: 1,
    retryMaxMs: 5,
    idleMaxMs: 50,
    ...opts,
    deps: fakeDeps(database, opts.deps),
  });
}

/** A step with a trivial contract whose run is `run`. */
export function fakeStep(
  status: StepStatus,
  run: () => Promise<StepResult<{ ok: boolean }>> = async () => done({ ok: true }),
  extra: Partial<StepHandler> = {},
): StepHandler {
  return defineStep({
    status,
    input: z.unknown(),
    output: z.object({ ok: z.boolean() }),
    selectInput: () => ({}),
    run,
    ...extra,
  }) as StepHandler;
}

export async function newFakeWorkflow(database: Database): Promise<string> {
  const { workflow } = await createWorkflow(database.db, {
    ownerEmail: 'engine@school.example',
    ownerSub: 'engine',
    request: {
      certificationId: 'aws-saa-c03',
      learnerEmail: 'l@example.com',
      courseCount: 1,
      slidesPerCourse: 1,
      avatarVideos: true,
      shareWithLearner: true,
      spreadsheetId: 's',
    },
  });
  return workflow.id;
}
