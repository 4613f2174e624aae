/**
 * Drive files behind every Form, Spreadsheet and Folder: one record per id, shared by the services,
 * so DriveApp.getFileById(formId).moveTo(folder) or setTrashed works on forms and spreadsheets too.
 */
import { newDriveId, type DriveItem, type EmulatorState } from './state';

export const MIME = {
  folder: 'application/vnd.google-apps.folder',
  form: 'application/vnd.google-apps.form',
  spreadsheet: 'application/vnd.google-apps.spreadsheet',
} as const;

export function addDriveItem(
  state: EmulatorState,
  fields: { name: string; mimeType: string; owner: string; parentId?: string; id?: string; content?: string },
  now: number,
): DriveItem {
  const item: DriveItem = {
    id: fields.id ?? newDriveId(),
    name: fields.name,
    mimeType: fields.mimeType,
    parents: [fields.parentId ?? state.rootFolderId],
    trashed: false,
    owner: fields.owner,
    viewers: [],
    commenters: [],
    editors: [],
    sharingAccess: 'PRIVATE',
    sharingPermission: 'NONE',
    content: fields.content,
    createdAt: new Date(now),
  };
  state.driveItems.set(item.id, item);
  return item;
}

export function driveUrlOf(item: DriveItem): string {
  switch (item.mimeType) {
    case MIME.folder:
      return `https://drive.google.com/drive/folders/${item.id}`;
    case MIME.form:
      return `https://docs.google.com/forms/d/${item.id}/edit`;
    case MIME.spreadsheet:
      return `https://docs.google.com/spreadsheets/d/${item.id}/edit`;
    default:
      return `https://drive.google.com/file/d/${item.id}/view?usp=drivesdk`;
  }
}

/** The file id inside a Docs/Forms/Sheets/Drive URL ("/d/<id>/" or "/folders/<id>"). */
export function idFromUrl(url: string): string | undefined {
  const match = /\/(?:d|folders)\/([A-Za-z0-9_-]{10,})/.exec(url);
  return match && match[1] !== 'e' ? match[1] : undefined;
}

export const NO_ITEM_WITH_ID =
  'No item with the given ID could be found. Possibly because you have not edited this item or you do not have permission to access it.';
