/** DriveApp, Folder, File: names, parents, trash and sharing over the shared Drive records. */
import { addDriveItem, driveUrlOf, MIME, NO_ITEM_WITH_ID } from './drive-model';
import { makeHandle, unwrapHandle } from './handles';
import type { Runtime } from './runtime';
import type { DriveItem } from './state';

export const DRIVE_ENUMS = {
  Access: {
    ANYONE: 'ANYONE',
    ANYONE_WITH_LINK: 'ANYONE_WITH_LINK',
    DOMAIN: 'DOMAIN',
    DOMAIN_WITH_LINK: 'DOMAIN_WITH_LINK',
    PRIVATE: 'PRIVATE',
  },
  Permission: {
    VIEW: 'VIEW',
    EDIT: 'EDIT',
    COMMENT: 'COMMENT',
    OWNER: 'OWNER',
    ORGANIZER: 'ORGANIZER',
    FILE_ORGANIZER: 'FILE_ORGANIZER',
    NONE: 'NONE',
  },
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Drive's refusal when the domain's sharing policy forbids the grant. */
export const SHARING_POLICY_ERROR = (email: string) =>
  `Sharing failed: your organization's policy does not allow sharing with users outside the organization (${email}).`;

export class DriveHandles {
  constructor(private readonly rt: Runtime) {}

  private lookup(id: string, wantFolder: boolean | undefined): DriveItem {
    const item = this.rt.state.driveItems.get(id);
    if (!item || (wantFolder !== undefined && (item.mimeType === MIME.folder) !== wantFolder)) this.rt.fail(NO_ITEM_WITH_ID);
    return item;
  }

  private emailOf(userOrEmail: unknown): string {
    const email =
      typeof userOrEmail === 'string' ? userOrEmail : (unwrapHandle<{ email: string }>(userOrEmail, 'DriveUser', 'User')?.email ?? '');
    if (!EMAIL.test(email)) this.rt.fail(`Invalid email: ${String(userOrEmail)}`);
    return email;
  }

  user(email: string): object {
    return makeHandle(this.rt, 'DriveUser', {
      email,
      getEmail: () => email,
      getName: () => email.split('@')[0],
      getDomain: () => email.split('@')[1] ?? '',
      getPhotoUrl: () => null,
    });
  }

  iterator(kind: 'FileIterator' | 'FolderIterator', items: DriveItem[]): object {
    let index = 0;
    return makeHandle(this.rt, kind, {
      hasNext: () => index < items.length,
      next: () => {
        if (index >= items.length) this.rt.fail('Cannot retrieve the next object: iterator has reached the end.');
        const item = items[index++];
        return item.mimeType === MIME.folder ? this.folder(item.id) : this.file(item.id);
      },
      getContinuationToken: () => String(index),
    });
  }

  private children(parentId: string, folders: boolean, name?: string): DriveItem[] {
    return [...this.rt.state.driveItems.values()].filter(
      (i) =>
        i.parents.includes(parentId) && !i.trashed && (i.mimeType === MIME.folder) === folders && (name === undefined || i.name === name),
    );
  }

  createFolderIn(parentId: string, name: string): object {
    this.rt.chargeQuota('DriveApp.createFolder', 1);
    const item = addDriveItem(this.rt.state, { name, mimeType: MIME.folder, owner: this.rt.options.user.email, parentId }, this.rt.now());
    return this.folder(item.id);
  }

  createFileIn(parentId: string, name: string, content: unknown, mimeType?: string): object {
    this.rt.chargeQuota('DriveApp.createFile', 1);
    const item = addDriveItem(
      this.rt.state,
      { name, mimeType: mimeType ?? 'text/plain', owner: this.rt.options.user.email, parentId, content: String(content ?? '') },
      this.rt.now(),
    );
    return this.file(item.id);
  }

  /** Methods Folder and File share. */
  private common(id: string, self: () => object) {
    const item = () => this.lookup(id, undefined);
    const share = (list: 'viewers' | 'editors' | 'commenters', users: unknown[]) => {
      const target = item();
      for (const u of users) {
        const email = this.emailOf(u);
        const domain = this.rt.options.sharingDomain;
        if (domain && email.split('@')[1]?.toLowerCase() !== domain.toLowerCase()) this.rt.fail(SHARING_POLICY_ERROR(email));
        if (email !== target.owner && !target[list].includes(email)) target[list].push(email);
      }
      return self();
    };
    const unshare = (list: 'viewers' | 'editors' | 'commenters', user: unknown) => {
      const target = item();
      const email = this.emailOf(user);
      target[list] = target[list].filter((e) => e !== email);
      return self();
    };
    const arrayArg = (value: unknown) => {
      if (!Array.isArray(value)) this.rt.fail('Invalid argument: emailAddresses');
      return value as unknown[];
    };
    return {
      getId: () => id,
      getName: () => item().name,
      setName: (name: string) => {
        item().name = String(name);
        return self();
      },
      getUrl: () => driveUrlOf(item()),
      getMimeType: () => item().mimeType,
      getDateCreated: () => new Date(item().createdAt.getTime()),
      getOwner: () => this.user(item().owner),
      getParents: () =>
        this.iterator(
          'FolderIterator',
          item().parents.map((p) => this.lookup(p, true)),
        ),
      moveTo: (destination: unknown) => {
        const folderId = unwrapHandle<{ getId(): string }>(destination, 'Folder')?.getId();
        if (!folderId) this.rt.fail("The parameters don't match the method signature for DriveApp.File.moveTo.");
        this.lookup(folderId, true);
        item().parents = [folderId];
        return self();
      },
      setTrashed: (trashed: boolean) => {
        item().trashed = Boolean(trashed);
        return self();
      },
      isTrashed: () => item().trashed,
      addViewer: (user: unknown) => share('viewers', [user]),
      addViewers: (emails: unknown) => share('viewers', arrayArg(emails)),
      addEditor: (user: unknown) => share('editors', [user]),
      addEditors: (emails: unknown) => share('editors', arrayArg(emails)),
      addCommenter: (user: unknown) => share('commenters', [user]),
      addCommenters: (emails: unknown) => share('commenters', arrayArg(emails)),
      removeViewer: (user: unknown) => unshare('viewers', user),
      removeEditor: (user: unknown) => unshare('editors', user),
      removeCommenter: (user: unknown) => unshare('commenters', user),
      getViewers: () => item().viewers.map((e) => this.user(e)),
      getEditors: () => item().editors.map((e) => this.user(e)),
      setSharing: (access: string, permission: string) => {
        if (!(String(access) in DRIVE_ENUMS.Access)) this.rt.fail('Invalid argument: accessType');
        if (!(String(permission) in DRIVE_ENUMS.Permission)) this.rt.fail('Invalid argument: permissionType');
        if (this.rt.options.sharingDomain && String(access).startsWith('ANYONE')) this.rt.fail(SHARING_POLICY_ERROR('anyone'));
        const target = item();
        target.sharingAccess = String(access);
        target.sharingPermission = String(permission);
        return self();
      },
      getSharingAccess: () => item().sharingAccess,
      getSharingPermission: () => item().sharingPermission,
    };
  }

  folder(id: string): object {
    this.lookup(id, true);
    const self: object = makeHandle(this.rt, 'Folder', {
      ...this.common(id, () => self),
      createFolder: (name: string) => this.createFolderIn(id, String(name)),
      createFile: (name: string, content: unknown, mimeType?: string) => this.createFileIn(id, String(name), content, mimeType),
      getFolders: () => this.iterator('FolderIterator', this.children(id, true)),
      getFiles: () => this.iterator('FileIterator', this.children(id, false)),
      getFoldersByName: (name: string) => this.iterator('FolderIterator', this.children(id, true, String(name))),
      getFilesByName: (name: string) => this.iterator('FileIterator', this.children(id, false, String(name))),
    });
    return self;
  }

  file(id: string): object {
    this.lookup(id, false);
    const self: object = makeHandle(this.rt, 'File', {
      ...this.common(id, () => self),
      getBlob: () => this.rt.fail('emulator: File.getBlob not implemented'),
    });
    return self;
  }
}

export function createDriveApp(rt: Runtime, drive: DriveHandles): object {
  const everything = (folders: boolean, name: string) =>
    [...rt.state.driveItems.values()].filter((i) => !i.trashed && (i.mimeType === MIME.folder) === folders && i.name === name);
  return makeHandle(rt, 'DriveApp', {
    ...DRIVE_ENUMS,
    // Counted against the daily quota inside createFolderIn, so Folder.createFolder is charged too.
    createFolder: (name: string) => drive.createFolderIn(rt.state.rootFolderId, String(name)),
    createFile: (name: string, content: unknown, mimeType?: string) =>
      drive.createFileIn(rt.state.rootFolderId, String(name), content, mimeType),
    getFolderById: (id: string) => drive.folder(String(id)),
    getFileById: (id: string) => drive.file(String(id)),
    getRootFolder: () => drive.folder(rt.state.rootFolderId),
    getFoldersByName: (name: string) => drive.iterator('FolderIterator', everything(true, String(name))),
    getFilesByName: (name: string) => drive.iterator('FileIterator', everything(false, String(name))),
  });
}
