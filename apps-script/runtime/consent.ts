import type { JsonStore } from '../storage/json-store';
import { errorMessage, log } from './log';

/**
 * What the user has (not) authorised. Google's granular consent lets a user untick scopes, and an
 * update that adds scopes leaves installed triggers failing until the user authorises again; both
 * are checked at the entry points and turned into words instead of a 401 or a silent trigger failure.
 */

export class ConsentRequiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsentRequiredError';
  }
}

const PRODUCT = 'PresGen-Assess';
const REAUTH_KEY = 'auth:reauthorization-required';

export const IDENTITY_CONSENT_MESSAGE =
  `${PRODUCT} cannot confirm who you are: the permission to "associate you with your personal info" (openid) ` +
  'or to "see your email address" was not granted. Open Extensions → PresGen-Assess again and allow every requested permission.';

/** The ID token for the backend; null means the user did not grant openid (granular consent). */
export function identityTokenOrThrow(): string {
  const token = ScriptApp.getIdentityToken();
  if (!token) throw new ConsentRequiredError(IDENTITY_CONSENT_MESSAGE);
  return token;
}

export interface AuthorizationNeed {
  required: boolean;
  url?: string;
}

export function authorizationNeed(): AuthorizationNeed {
  try {
    const info = ScriptApp.getAuthorizationInfo(ScriptApp.AuthMode.FULL);
    if (info.getAuthorizationStatus() !== ScriptApp.AuthorizationStatus.REQUIRED) return { required: false };
    return { required: true, url: info.getAuthorizationUrl() || undefined };
  } catch (err) {
    log.warn('authorization_info_failed', { message: errorMessage(err) });
    return { required: false };
  }
}

/**
 * In a trigger: if the user must authorise again (an update added scopes), remember it for the
 * sidebar banner and tell the caller to stop, instead of failing on the first call that needs
 * the new scope.
 */
export function triggerMayRun(store: JsonStore): boolean {
  const need = authorizationNeed();
  if (!need.required) return true;
  log.warn('reauthorization_required', { where: 'trigger' });
  if (!store.get(REAUTH_KEY)) store.set(REAUTH_KEY, { since: new Date().toISOString() });
  return false;
}

/** For the sidebar: the banner text when triggers were stopped for want of authorisation (cleared once it is granted). */
export function reauthorizationNotice(store: JsonStore): string | undefined {
  const need = authorizationNeed();
  const flagged = store.get<{ since: string }>(REAUTH_KEY);
  if (!need.required) {
    if (flagged) store.delete(REAUTH_KEY);
    return undefined;
  }
  const since = flagged ? ` since ${flagged.since.slice(0, 16).replace('T', ' ')} UTC` : '';
  return (
    `${PRODUCT} was updated and needs new permissions: its automatic triggers have stopped${since}. ` +
    `Authorise it again${need.url ? ` at ${need.url}` : ' (Extensions → PresGen-Assess)'}; until then, keep this sidebar open and use "Check for responses".`
  );
}
