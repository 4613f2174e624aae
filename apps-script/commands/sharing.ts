import type { CommandPayload, CommandResult, SharingRefusal } from '../../shared/contracts/commands';
import { isQuotaError } from '../quota';
import { errorMessage, log, redact } from '../runtime/log';
import type { CommandContext } from './context';

/**
 * Step 11: share deliverables, best-effort. Each grant is tried on its own; one Drive refuses (a
 * domain policy forbidding sharing outside the organisation, a file gone) is reported back with
 * Drive's reason instead of failing the command, so the workflow completes and the instructor is
 * told what was not shared and why. Quota errors still fail the command: a later try can succeed.
 * Granting a role twice is harmless, so no progress is kept.
 */
export function setSharing(payload: CommandPayload<'set_sharing'>, ctx: CommandContext): CommandResult<'set_sharing'> {
  const sharedFileIds: string[] = [];
  const notShared: SharingRefusal[] = [];
  for (const fileId of payload.fileIds) {
    let all = true;
    for (const email of payload.emails) {
      try {
        ctx.drive.managePermissions(fileId, [email], payload.role);
      } catch (err) {
        if (isQuotaError(err)) throw err;
        all = false;
        const reason = redact(errorMessage(err)).slice(0, 500) || 'Drive refused the grant';
        notShared.push({ fileId, email, reason });
        log.warn('sharing_refused', { reason });
      }
    }
    if (all) sharedFileIds.push(fileId);
  }
  return { sharedFileIds, notShared };
}

/** Compensation: trash what a failed workflow created. Already-gone files count as trashed. */
export function trashFiles(payload: CommandPayload<'trash_files'>, ctx: CommandContext): CommandResult<'trash_files'> {
  for (const fileId of payload.fileIds) ctx.drive.trash(fileId);
  return { trashedFileIds: [...payload.fileIds] };
}
