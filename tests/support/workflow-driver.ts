import type { Database } from '../../backend/db/client';
import { getWorkflow } from '../../backend/db/repositories/workflow-repository';
import type { TestApiClient } from './api-client';
import { eventually } from './backend';
import { submissionFor, type ScoreProfile } from './learner';

/** Starts a workflow through the API and answers its form once it waits for the learner. */
export async function startAndSubmit(
  api: TestApiClient,
  database: Database,
  opts: { courseCount?: number; avatarVideos?: boolean; profile?: ScoreProfile; certificationId?: string } = {},
): Promise<string> {
  const res = await api.createWorkflow({
    certificationId: opts.certificationId ?? 'aws-saa-c03',
    learnerEmail: 'learner@example.com',
    courseCount: opts.courseCount ?? 1,
    slidesPerCourse: 3,
    avatarVideos: opts.avatarVideos ?? true,
    spreadsheetId: 'sheet-of-the-addon',
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.id as string;
  await eventually(async () => (await getWorkflow(database.db, id))?.status === 'AWAITING_COMPLETION', {
    what: `${id} awaiting completion`,
  });
  const posted = await api.submitForm(await submissionFor(database, id, opts.profile ?? 'half'));
  if (posted.status !== 202) throw new Error(`submission failed: ${posted.status}`);
  return id;
}

export async function waitForStatus(database: Database, id: string, statuses: string[], timeoutMs = 30_000) {
  return eventually(
    async () => {
      const wf = await getWorkflow(database.db, id);
      return wf && statuses.includes(wf.status) ? wf : undefined;
    },
    { what: `${id} in ${statuses.join('/')}`, timeoutMs },
  );
}
