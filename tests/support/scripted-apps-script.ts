import type { ClaimedCommand } from '../../shared/contracts/commands';
import type { TestApiClient } from './api-client';

/**
 * Stands in for the add-on in backend-only tests: claims workspace commands through the real
 * API and completes them with well-formed results (the real bundle is tested in the emulator
 * suites). Counts what it executed, so tests can assert "exactly one create command".
 */
export class ScriptedAppsScript {
  readonly executed: ClaimedCommand[] = [];
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly api: TestApiClient,
    private readonly opts: { spreadsheetId?: string; intervalMs?: number } = {},
  ) {}

  countByType(type: string, workflowId?: string): number {
    return this.executed.filter((c) => c.type === type && (!workflowId || c.workflowId === workflowId)).length;
  }

  /** One pump: claim, execute, complete; returns how many commands ran. */
  async pumpOnce(): Promise<number> {
    const claim = await this.api.claim({ spreadsheetId: this.opts.spreadsheetId, max: 20 });
    if (claim.status !== 200) throw new Error(`claim failed: ${claim.status} ${JSON.stringify(claim.body)}`);
    const commands = claim.body.commands as ClaimedCommand[];
    for (const command of commands) {
      this.executed.push(command);
      const done = await this.api.complete(command.id, { leaseToken: command.leaseToken, result: resultFor(command) });
      if (done.status !== 200) throw new Error(`complete failed: ${done.status} ${JSON.stringify(done.body)}`);
    }
    return commands.length;
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const n = await this.pumpOnce().catch(() => 0);
        if (n === 0) await new Promise((r) => setTimeout(r, this.opts.intervalMs ?? 25));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

export function resultFor(command: ClaimedCommand): unknown {
  const wf = command.workflowId;
  switch (command.type) {
    case 'create_assessment_assets':
      return {
        folderId: `folder-${wf}`,
        folderUrl: `https://drive.google.com/drive/folders/folder-${wf}`,
        formId: `form-${wf}`,
        formUrl: `https://docs.google.com/forms/d/form-${wf}/edit`,
        formResponderUrl: `https://docs.google.com/forms/d/e/form-${wf}/viewform`,
        formPublished: true,
        resultsSpreadsheetId: `sheet-${wf}`,
        resultsSpreadsheetUrl: `https://docs.google.com/spreadsheets/d/sheet-${wf}/edit`,
        itemQuestionIds: Object.fromEntries(command.payload.items.map((item, i) => [`item-${i}`, item.questionId])),
      };
    case 'write_tab':
      return {
        spreadsheetId: command.payload.spreadsheetId,
        tabName: command.payload.tabName,
        rowCount: command.payload.rows.length,
        columnCount: Math.max(...command.payload.rows.map((r) => r.length)),
      };
    case 'set_sharing':
      return { sharedFileIds: command.payload.fileIds };
    case 'trash_files':
      return { trashedFileIds: command.payload.fileIds };
    case 'read_responses':
      return { submissions: [] };
  }
}
