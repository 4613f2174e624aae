import type { QuotaGuard } from '../quota';

type DriveItem = GoogleAppsScript.Drive.File | GoogleAppsScript.Drive.Folder;
export type SharingRole = 'reader' | 'commenter' | 'writer';

const NOT_FOUND = /no item with the given id|not found|does not exist/i;

/** DriveApp behind one small interface; every call goes through the quota guard. */
export class GoogleDriveClient {
  constructor(private readonly quota: QuotaGuard) {}

  createFolder(name: string): GoogleAppsScript.Drive.Folder {
    return this.quota.call('DriveApp.createFolder', () => DriveApp.createFolder(name));
  }

  getFolder(id: string): GoogleAppsScript.Drive.Folder {
    return this.quota.call('DriveApp.getFolderById', () => DriveApp.getFolderById(id));
  }

  /** Grant each email the role on a file or folder (by id, or an item already open). Granting twice is harmless in Drive. */
  managePermissions(target: string | DriveItem, emails: string[], role: SharingRole): void {
    const item = typeof target === 'string' ? this.open(target) : target;
    for (const email of emails) {
      if (role === 'writer') this.quota.call('Drive.addEditor', () => item.addEditor(email));
      // Comment access only exists on files; on a folder, view access is the closest grant.
      else if (role === 'commenter' && 'addCommenter' in item) this.quota.call('Drive.addCommenter', () => item.addCommenter(email));
      else this.quota.call('Drive.addViewer', () => item.addViewer(email));
    }
  }

  /** Move a file (a form, a spreadsheet) into a folder; moving it there again changes nothing. */
  move(fileId: string, folder: GoogleAppsScript.Drive.Folder): void {
    const file = this.quota.call('DriveApp.getFileById', () => DriveApp.getFileById(fileId));
    this.quota.call('File.moveTo', () => file.moveTo(folder));
  }

  /** Trash a file or folder; one that no longer exists counts as done (compensation must converge). */
  trash(id: string): 'trashed' | 'missing' {
    let item: DriveItem;
    try {
      item = this.open(id);
    } catch (err) {
      if (NOT_FOUND.test(String((err as Error)?.message ?? err))) return 'missing';
      throw err;
    }
    this.quota.call('Drive.setTrashed', () => item.setTrashed(true));
    return 'trashed';
  }

  private open(id: string): DriveItem {
    try {
      return this.quota.call('DriveApp.getFileById', () => DriveApp.getFileById(id));
    } catch (fileErr) {
      try {
        return this.quota.call('DriveApp.getFolderById', () => DriveApp.getFolderById(id));
      } catch {
        throw fileErr;
      }
    }
  }
}
