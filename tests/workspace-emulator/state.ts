/**
 * The in-memory model of the emulated Google Workspace: what Forms, Sheets, Drive, triggers and
 * the property stores hold. Services read and write it; tests inspect it directly.
 */
import { randomBytes } from 'node:crypto';

export type CellValue = string | number | boolean | Date;

export interface EmulatedChoice {
  value: string;
  isCorrect: boolean;
}

export interface EmulatedItem {
  id: number;
  type: 'MULTIPLE_CHOICE';
  title: string;
  helpText: string;
  required: boolean;
  points: number;
  choices: EmulatedChoice[];
}

export interface EmulatedItemResponse {
  itemId: number;
  response: string;
}

export interface EmulatedFormResponse {
  id: string;
  timestamp: Date;
  /** '' when the form does not collect emails. */
  respondentEmail: string;
  itemResponses: EmulatedItemResponse[];
}

export interface EmulatedForm {
  id: string;
  /** The id in the responder URL (/forms/d/e/<publishedId>/viewform), distinct from the file id as in Google. */
  publishedId: string;
  title: string;
  description: string;
  isQuiz: boolean;
  /** Forms created since 2026 start unpublished; submissions to an unpublished form fail. */
  published: boolean;
  acceptingResponses: boolean;
  collectEmail: boolean;
  destinationId?: string;
  /** sheetId of the response tab in the destination spreadsheet. */
  destinationSheetId?: number;
  items: EmulatedItem[];
  responses: EmulatedFormResponse[];
}

export interface EmulatedSheet {
  sheetId: number;
  name: string;
  /** Dense grid, rows x columns, '' for empty cells. Row i is sheet row i+1. */
  values: CellValue[][];
  frozenRows: number;
  /** Number formats set by the script, by "row,column" (1-based); absent = automatic. */
  numberFormats: Map<string, string>;
  /** Formulas written as text ("=…"), by "row,column"; their value reads as an error. */
  formulas: Map<string, string>;
  /** Embedded charts (SpreadsheetApp.newChart / Sheet.insertChart). */
  charts: EmulatedChart[];
  /** Set on a form's response tab. */
  formId?: string;
}

export interface EmulatedChart {
  chartId: number;
  type: string;
  /** A1 notations of the data ranges. */
  ranges: string[];
  position: { row: number; column: number };
  options: Record<string, unknown>;
}

export interface EmulatedSpreadsheet {
  id: string;
  sheets: EmulatedSheet[];
  nextSheetId: number;
}

export type DriveMimeType =
  'application/vnd.google-apps.folder' | 'application/vnd.google-apps.form' | 'application/vnd.google-apps.spreadsheet' | string;

export interface DriveItem {
  id: string;
  name: string;
  mimeType: DriveMimeType;
  parents: string[];
  trashed: boolean;
  owner: string;
  viewers: string[];
  commenters: string[];
  editors: string[];
  sharingAccess: string;
  sharingPermission: string;
  content?: string;
  createdAt: Date;
}

export type TriggerEventType = 'ON_FORM_SUBMIT' | 'ON_OPEN' | 'ON_EDIT' | 'ON_CHANGE' | 'CLOCK';
export type TriggerSourceName = 'SPREADSHEETS' | 'FORMS' | 'CLOCK';

export interface EmulatedTrigger {
  uid: string;
  handlerFunction: string;
  eventType: TriggerEventType;
  triggerSource: TriggerSourceName;
  /** The document id for spreadsheet triggers; null for time-driven ones. */
  triggerSourceId: string | null;
  /** Email of the user who installed it (the 20-per-user limit counts these). */
  user: string;
  everyHours?: number;
  /** One-shot `after(ms)` trigger: removed after it fires. */
  afterMs?: number;
}

export interface CacheEntry {
  value: string;
  expiresAt: number;
}

export interface LogLine {
  executionId: number;
  level: 'log' | 'info' | 'warn' | 'error';
  message: string;
}

export interface ExecutionRecord {
  id: number;
  functionName: string;
  kind: 'run' | 'trigger' | 'simple-trigger';
  triggerUid?: string;
  ok: boolean;
  error?: string;
  /** Real plus slept time. */
  simulatedMs: number;
}

export interface MenuRecord {
  title: string;
  items: { caption: string; functionName: string }[];
}

export interface EmulatorState {
  forms: Map<string, EmulatedForm>;
  spreadsheets: Map<string, EmulatedSpreadsheet>;
  driveItems: Map<string, DriveItem>;
  triggers: EmulatedTrigger[];
  properties: {
    script: Map<string, string>;
    user: Map<string, Map<string, string>>;
    document: Map<string, Map<string, string>>;
  };
  caches: {
    script: Map<string, CacheEntry>;
    user: Map<string, Map<string, CacheEntry>>;
    document: Map<string, Map<string, CacheEntry>>;
  };
  logs: LogLine[];
  executions: ExecutionRecord[];
  menus: MenuRecord[];
  alerts: string[];
  sidebars: { title: string; html: string }[];
  /** Daily usage per quota name since the emulator started (or resetDailyQuotas). */
  quotaUsage: Record<string, number>;
  /** Simulated time minus real time: grows with Utilities.sleep and lock waits. */
  clockOffsetMs: number;
  rootFolderId: string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Drive-style ids: 44 url-safe characters starting with '1', like real file ids. */
export function newDriveId(): string {
  const bytes = randomBytes(43);
  let id = '1';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

export function newResponseId(): string {
  return `2_AB${newDriveId().slice(1, 40)}`;
}

let itemIdCounter = 100_000_000 + Math.floor(Math.random() * 800_000_000);
export function newItemId(): number {
  itemIdCounter += 1 + Math.floor(Math.random() * 1000);
  return itemIdCounter;
}

export function createEmptyState(): EmulatorState {
  const rootFolderId = newDriveId();
  const state: EmulatorState = {
    forms: new Map(),
    spreadsheets: new Map(),
    driveItems: new Map(),
    triggers: [],
    properties: { script: new Map(), user: new Map(), document: new Map() },
    caches: { script: new Map(), user: new Map(), document: new Map() },
    logs: [],
    executions: [],
    menus: [],
    alerts: [],
    sidebars: [],
    quotaUsage: {},
    clockOffsetMs: 0,
    rootFolderId,
  };
  return state;
}

export function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
