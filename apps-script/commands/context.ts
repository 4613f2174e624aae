import type { ExecutionClock } from '../runtime/clock';
import type { CommandLedger } from '../storage/command-ledger';
import type { FormRegistry } from '../storage/form-registry';
import type { GoogleDriveClient } from '../workspace/drive-client';
import type { GoogleFormsClient } from '../workspace/forms-client';
import type { GoogleSheetsClient } from '../workspace/sheets-client';
import type { CommandLease } from './lease';

/** Everything a command handler may use; built once per execution in main.ts. */
export interface CommandContext {
  forms: GoogleFormsClient;
  sheets: GoogleSheetsClient;
  drive: GoogleDriveClient;
  ledger: CommandLedger;
  registry: FormRegistry;
  clock: ExecutionClock;
  /** The lease of the command being run (NO_LEASE outside one): handlers keep it alive between slow phases. */
  lease: CommandLease;
}

/** A failure that retrying cannot fix (bad input, missing sheet): the backend should not re-offer it. */
export class CommandRejected extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'CommandRejected';
  }
}
