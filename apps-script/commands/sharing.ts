import type { CommandPayload, CommandResult } from '../../shared/contracts/commands';
import type { CommandContext } from './context';

/** Step 11: share deliverables. Granting a role twice is harmless, so no progress is kept. */
export function setSharing(payload: CommandPayload<'set_sharing'>, ctx: CommandContext): CommandResult<'set_sharing'> {
  for (const fileId of payload.fileIds) ctx.drive.managePermissions(fileId, payload.emails, payload.role);
  return { sharedFileIds: [...payload.fileIds] };
}

/** Compensation: trash what a failed workflow created. Already-gone files count as trashed. */
export function trashFiles(payload: CommandPayload<'trash_files'>, ctx: CommandContext): CommandResult<'trash_files'> {
  for (const fileId of payload.fileIds) ctx.drive.trash(fileId);
  return { trashedFileIds: [...payload.fileIds] };
}
