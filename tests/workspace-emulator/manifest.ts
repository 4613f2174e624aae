/**
 * The add-on manifest (appsscript.json) as the platform reads it: declared OAuth scopes and the
 * urlFetchWhitelist. Validated with zod so a malformed manifest fails loudly, naming the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const AppsScriptManifest = z
  .object({
    timeZone: z.string().min(1).optional(),
    runtimeVersion: z.enum(['V8', 'DEPRECATED_ES5', 'STABLE']).optional(),
    exceptionLogging: z.string().optional(),
    oauthScopes: z.array(z.string().min(1)).optional(),
    urlFetchWhitelist: z.array(z.string().min(1)).optional(),
  })
  .loose();
export type AppsScriptManifest = z.infer<typeof AppsScriptManifest>;

export function loadManifest(bundleDir: string): AppsScriptManifest {
  const path = join(bundleDir, 'appsscript.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`emulator: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = AppsScriptManifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`emulator: invalid appsscript.json field "${issue.path.join('.')}": ${issue.message}`);
  }
  return parsed.data;
}

export const SCOPE = {
  forms: 'https://www.googleapis.com/auth/forms',
  formsCurrentOnly: 'https://www.googleapis.com/auth/forms.currentonly',
  spreadsheets: 'https://www.googleapis.com/auth/spreadsheets',
  spreadsheetsCurrentOnly: 'https://www.googleapis.com/auth/spreadsheets.currentonly',
  drive: 'https://www.googleapis.com/auth/drive',
  driveFile: 'https://www.googleapis.com/auth/drive.file',
  externalRequest: 'https://www.googleapis.com/auth/script.external_request',
  scriptApp: 'https://www.googleapis.com/auth/script.scriptapp',
  containerUi: 'https://www.googleapis.com/auth/script.container.ui',
  userinfoEmail: 'https://www.googleapis.com/auth/userinfo.email',
  openid: 'openid',
} as const;

/**
 * Scopes a call needs (any one of them suffices), by `Kind.method` key or by service family.
 * Only enforced when the manifest declares oauthScopes explicitly, as Google does: without the
 * field, scopes are inferred from the code and every used service is authorized.
 */
const METHOD_SCOPES: Record<string, string[]> = {
  'SpreadsheetApp.openById': [SCOPE.spreadsheets],
  'SpreadsheetApp.openByUrl': [SCOPE.spreadsheets],
  'SpreadsheetApp.create': [SCOPE.spreadsheets],
  'SpreadsheetApp.getUi': [SCOPE.containerUi],
  'ScriptApp.getIdentityToken': [SCOPE.openid],
  'ScriptApp.newTrigger': [SCOPE.scriptApp],
  'ScriptApp.getProjectTriggers': [SCOPE.scriptApp],
  'ScriptApp.getUserTriggers': [SCOPE.scriptApp],
  'ScriptApp.deleteTrigger': [SCOPE.scriptApp],
  'FormApp.create': [SCOPE.forms],
  'FormApp.openById': [SCOPE.forms],
  'FormApp.openByUrl': [SCOPE.forms],
};

const FAMILY_SCOPES: Record<string, string[]> = {
  FormApp: [SCOPE.forms, SCOPE.formsCurrentOnly],
  SpreadsheetApp: [SCOPE.spreadsheets, SCOPE.spreadsheetsCurrentOnly],
  DriveApp: [SCOPE.drive, SCOPE.driveFile],
  UrlFetchApp: [SCOPE.externalRequest],
};

export function requiredScopes(family: string, key: string): string[] | undefined {
  return METHOD_SCOPES[key] ?? FAMILY_SCOPES[family];
}

export function hasScope(manifest: AppsScriptManifest, scope: string): boolean {
  return manifest.oauthScopes === undefined ? scope !== SCOPE.openid : manifest.oauthScopes.includes(scope);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Google's rule: each whitelist entry is an https URL prefix with at least a path ("https://host/"),
 * optionally with a leading "*." subdomain wildcard; a fetch must start with one of the entries.
 * http entries are accepted only for loopback hosts, and only when the emulator allows it (tests).
 */
export function isUrlWhitelisted(manifest: AppsScriptManifest, target: URL, allowHttpLoopback: boolean): boolean {
  for (const entry of manifest.urlFetchWhitelist ?? []) {
    const match = /^(https?):\/\/([^/]+)(\/.*)$/i.exec(entry);
    if (!match) continue;
    const [, scheme, host, path] = match;
    const isHttp = scheme.toLowerCase() === 'http';
    if (isHttp && !(allowHttpLoopback && LOOPBACK_HOSTS.has(host.replace(/:\d+$/, '').toLowerCase()))) continue;
    if (target.protocol !== `${scheme.toLowerCase()}:`) continue;
    const targetHost = target.host.toLowerCase();
    const entryHost = host.toLowerCase();
    const hostMatches = entryHost.startsWith('*.') ? targetHost.endsWith(entryHost.slice(1)) : targetHost === entryHost;
    if (!hostMatches) continue;
    if (`${target.pathname}${target.search}`.startsWith(path)) return true;
  }
  return false;
}
