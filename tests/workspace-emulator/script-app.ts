/**
 * ScriptApp: identity token, trigger builders and the editor add-on trigger rules Google enforces:
 * triggers only on the document the add-on runs in, one of each type per document (and user),
 * time-driven at most hourly, 20 triggers per user.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { makeHandle, unwrapHandle } from './handles';
import { SCOPE } from './manifest';
import type { Runtime } from './runtime';
import type { EmulatedTrigger, TriggerEventType, TriggerSourceName } from './state';

export interface SyncIdentity {
  audience: string;
  signIdTokenSync(claims: { email?: string; sub?: string; aud?: string; expiresInSeconds?: number; emailVerified?: boolean }): string;
}

export const SCRIPT_ENUMS = {
  AuthMode: { NONE: 'NONE', CUSTOM_FUNCTION: 'CUSTOM_FUNCTION', LIMITED: 'LIMITED', FULL: 'FULL' },
  EventType: {
    CLOCK: 'CLOCK',
    ON_OPEN: 'ON_OPEN',
    ON_EDIT: 'ON_EDIT',
    ON_FORM_SUBMIT: 'ON_FORM_SUBMIT',
    ON_CHANGE: 'ON_CHANGE',
    ON_EVENT_UPDATED: 'ON_EVENT_UPDATED',
  },
  AuthorizationStatus: { REQUIRED: 'REQUIRED', NOT_REQUIRED: 'NOT_REQUIRED' },
  TriggerSource: { SPREADSHEETS: 'SPREADSHEETS', CLOCK: 'CLOCK', FORMS: 'FORMS', DOCUMENTS: 'DOCUMENTS', CALENDAR: 'CALENDAR' },
};

export const MAX_TRIGGERS_PER_USER = 20;
const HOUR_MS = 3_600_000;

export const TRIGGER_ERRORS = {
  otherDocument: 'Add-ons may only create triggers on the document in which the add-on is running.',
  tooMany: 'This script has too many triggers. Triggers must be deleted from the script before more can be added.',
  tooFrequent: 'Add-ons can only create time-based triggers that run at most once per hour.',
  duplicate: (type: string) =>
    `This add-on already has a ${type} trigger for this document. An add-on can only have one trigger of each type, per user, per document.`,
  notConfigured: 'Trigger has not been configured. Choose an event (for example onFormSubmit()) before create().',
  testDeployment: 'Installable triggers are not supported when the add-on runs as a test deployment.',
};

interface PendingTrigger {
  handlerFunction: string;
  triggerSource: TriggerSourceName;
  triggerSourceId: string | null;
  eventType?: TriggerEventType;
  everyHours?: number;
  everyMinutes?: number;
  afterMs?: number;
}

function documentIdOf(rt: Runtime, docOrId: unknown): string {
  if (typeof docOrId === 'string') return docOrId;
  const doc = unwrapHandle<{ getId(): string }>(docOrId, 'Spreadsheet', 'Form');
  if (!doc) rt.fail('Invalid argument: the trigger source must be a document or a document id.');
  return doc.getId();
}

export class TriggerHandles {
  constructor(private readonly rt: Runtime) {}

  trigger(model: EmulatedTrigger): object {
    return makeHandle(this.rt, 'Trigger', {
      uid: model.uid,
      getUniqueId: () => model.uid,
      getHandlerFunction: () => model.handlerFunction,
      getEventType: () => model.eventType,
      getTriggerSource: () => model.triggerSource,
      getTriggerSourceId: () => model.triggerSourceId,
    });
  }

  /** Applies the platform rules, then installs the trigger. */
  install(pending: PendingTrigger): object {
    const rt: Runtime = this.rt;
    const user = rt.options.user.email;
    if (rt.options.deployment === 'test') rt.fail(TRIGGER_ERRORS.testDeployment);
    if (
      pending.triggerSource === 'FORMS' ||
      (pending.triggerSource === 'SPREADSHEETS' && pending.triggerSourceId !== rt.activeSpreadsheetId)
    ) {
      rt.fail(TRIGGER_ERRORS.otherDocument);
    }
    if (!pending.eventType) rt.fail(TRIGGER_ERRORS.notConfigured);
    if (pending.eventType === 'CLOCK') {
      const tooFrequent =
        pending.everyMinutes !== undefined ||
        (pending.everyHours !== undefined && pending.everyHours < 1) ||
        (pending.afterMs !== undefined && pending.afterMs < HOUR_MS);
      if (tooFrequent) rt.fail(TRIGGER_ERRORS.tooFrequent);
      if (pending.everyHours === undefined && pending.afterMs === undefined) rt.fail(TRIGGER_ERRORS.notConfigured);
    }
    const mine = rt.state.triggers.filter((t) => t.user === user);
    if (mine.some((t) => t.eventType === pending.eventType && t.triggerSourceId === pending.triggerSourceId)) {
      rt.fail(TRIGGER_ERRORS.duplicate(pending.eventType));
    }
    if (mine.length >= MAX_TRIGGERS_PER_USER) rt.fail(TRIGGER_ERRORS.tooMany);
    const model: EmulatedTrigger = {
      uid: String(BigInt(`0x${randomBytes(7).toString('hex')}`)),
      handlerFunction: pending.handlerFunction,
      eventType: pending.eventType,
      triggerSource: pending.triggerSource,
      triggerSourceId: pending.triggerSourceId,
      user,
      everyHours: pending.everyHours,
      afterMs: pending.afterMs,
    };
    rt.state.triggers.push(model);
    return this.trigger(model);
  }

  builder(handlerFunction: string): object {
    const rt: Runtime = this.rt;
    const pending: PendingTrigger = { handlerFunction, triggerSource: 'CLOCK', triggerSourceId: null };
    const create = () => this.install(pending);
    const event = (self: () => object, type: TriggerEventType) => () => {
      pending.eventType = type;
      return self();
    };
    const spreadsheetBuilder: object = makeHandle(rt, 'SpreadsheetTriggerBuilder', {
      onOpen: event(() => spreadsheetBuilder, 'ON_OPEN'),
      onEdit: event(() => spreadsheetBuilder, 'ON_EDIT'),
      onChange: event(() => spreadsheetBuilder, 'ON_CHANGE'),
      onFormSubmit: event(() => spreadsheetBuilder, 'ON_FORM_SUBMIT'),
      create,
    });
    const formBuilder: object = makeHandle(rt, 'FormTriggerBuilder', {
      onOpen: event(() => formBuilder, 'ON_OPEN'),
      onFormSubmit: event(() => formBuilder, 'ON_FORM_SUBMIT'),
      create,
    });
    let clockBuilder: object;
    const clock = (change: () => void) => {
      change();
      return clockBuilder;
    };
    clockBuilder = makeHandle(rt, 'ClockTriggerBuilder', {
      everyHours: (n: number) => clock(() => (pending.everyHours = Number(n))),
      everyMinutes: (n: number) => clock(() => (pending.everyMinutes = Number(n))),
      everyDays: (n: number) => clock(() => (pending.everyHours = 24 * Number(n))),
      everyWeeks: (n: number) => clock(() => (pending.everyHours = 168 * Number(n))),
      after: (ms: number) => clock(() => (pending.afterMs = Number(ms))),
      atHour: () => clockBuilder,
      nearMinute: () => clockBuilder,
      inTimezone: () => clockBuilder,
      create,
    });
    return makeHandle(rt, 'TriggerBuilder', {
      forSpreadsheet: (doc: unknown) => {
        pending.triggerSource = 'SPREADSHEETS';
        pending.triggerSourceId = documentIdOf(rt, doc);
        return spreadsheetBuilder;
      },
      forForm: (doc: unknown) => {
        pending.triggerSource = 'FORMS';
        pending.triggerSourceId = documentIdOf(rt, doc);
        return formBuilder;
      },
      timeBased: () => {
        pending.triggerSource = 'CLOCK';
        pending.triggerSourceId = null;
        pending.eventType = 'CLOCK';
        return clockBuilder;
      },
    });
  }
}

export function createScriptApp(rt: Runtime, triggers: TriggerHandles, identity: SyncIdentity): object {
  const user = rt.options.user;
  const mine = () => rt.state.triggers.filter((t) => t.user === user.email);
  return makeHandle(rt, 'ScriptApp', {
    ...SCRIPT_ENUMS,
    // Declaring openid is checked by the gate; without the user's consent to it Google returns null.
    // The email claim needs userinfo.email, as with Google.
    getIdentityToken: () =>
      !rt.isGranted(SCOPE.openid)
        ? null
        : identity.signIdTokenSync({
            email: rt.isGranted(SCOPE.userinfoEmail) ? user.email : undefined,
            sub: user.sub,
            aud: identity.audience,
            expiresInSeconds: 3600,
            emailVerified: true,
          }),
    getOAuthToken: () => `ya29.emulator-${randomUUID()}`,
    getAuthorizationInfo: (_authMode: unknown) => {
      const missing = rt.ungrantedScopes();
      return makeHandle(rt, 'AuthorizationInfo', {
        getAuthorizationStatus: () => (missing.length ? 'REQUIRED' : 'NOT_REQUIRED'),
        getAuthorizationUrl: () => (missing.length ? 'https://script.google.com/macros/d/emulator-script-id/authorize' : null),
        getAuthorizedScopes: () => (rt.manifest.oauthScopes ?? []).filter((s) => rt.isGranted(s)),
      });
    },
    getScriptId: () => 'emulator-script-id',
    newTrigger: (functionName: string) => triggers.builder(String(functionName)),
    getProjectTriggers: () => mine().map((t) => triggers.trigger(t)),
    getUserTriggers: (doc: unknown) => {
      const id = documentIdOf(rt, doc);
      return mine()
        .filter((t) => t.triggerSourceId === id)
        .map((t) => triggers.trigger(t));
    },
    deleteTrigger: (trigger: unknown) => {
      const uid = unwrapHandle<{ uid: string }>(trigger, 'Trigger')?.uid;
      if (!uid) rt.fail("The parameters don't match the method signature for ScriptApp.deleteTrigger.");
      rt.state.triggers = rt.state.triggers.filter((t) => t.uid !== uid);
    },
  });
}
