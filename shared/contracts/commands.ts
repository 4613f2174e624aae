import { z } from 'zod';
import { EmailText, IdText, TEXT_LIMITS, text, UrlText } from './text';

/**
 * Workspace commands: work the backend asks Apps Script to do. The backend never calls into
 * Apps Script; the add-on claims pending commands, executes them and posts each result back.
 * Every command is idempotent on the Apps Script side (executed ids and results are stored).
 */

const Email = EmailText;
const DriveId = IdText;
const Name = text(TEXT_LIMITS.name, 1);
const Text = text(TEXT_LIMITS.text);
export const CellValue = z.union([Text, z.number(), z.boolean(), z.null()]);
export type CellValue = z.infer<typeof CellValue>;

export const QuizItem = z.object({
  questionId: IdText,
  title: text(TEXT_LIMITS.text, 1),
  choices: z.array(text(TEXT_LIMITS.text, 1)).min(2).max(20),
  /** Index into choices. Only the form's answer key sees it; never shown to the learner. */
  correctIndex: z.number().int().min(0),
  points: z.number().int().min(1),
});
export type QuizItem = z.infer<typeof QuizItem>;

export const SharingRole = z.enum(['reader', 'commenter', 'writer']);

export const CreateAssessmentAssetsPayload = z.object({
  workflowId: IdText,
  folderName: Name,
  formTitle: Name,
  formDescription: Text,
  resultsSpreadsheetName: Name,
  /** The spreadsheet the add-on runs in: form responses land there (one response tab per form). */
  destinationSpreadsheetId: DriveId,
  items: z.array(QuizItem).min(1).max(500),
  learnerEmail: Email,
  /** Share the folder with the learner (reader) when true; off by feature flag FEATURE_PUBLIC_SHARING. */
  shareWithLearner: z.boolean(),
});
export const CreateAssessmentAssetsResult = z
  .object({
    folderId: DriveId,
    folderUrl: UrlText,
    formId: DriveId,
    formUrl: UrlText,
    /** The respondent link the learner opens. */
    formResponderUrl: UrlText,
    formPublished: z.literal(true),
    resultsSpreadsheetId: DriveId,
    resultsSpreadsheetUrl: UrlText,
    /** Form item id -> question id, so a submission can be mapped back to the answer key. */
    itemQuestionIds: z.record(IdText, IdText),
  })
  .strict();

export const WriteTabPayload = z.object({
  spreadsheetId: DriveId,
  tabName: text(100, 1),
  /** Written with one batched setValues; rows are padded to the widest row. */
  rows: z.array(z.array(CellValue)).min(1).max(5000),
});
export const WriteTabResult = z
  .object({
    spreadsheetId: DriveId,
    tabName: text(100, 1),
    rowCount: z.number().int().min(0),
    columnCount: z.number().int().min(0),
    url: UrlText.optional(),
  })
  .strict();

export const SetSharingPayload = z.object({
  fileIds: z.array(DriveId).min(1).max(100),
  emails: z.array(Email).min(1).max(100),
  role: SharingRole,
});
/** A grant Drive refused (domain policy, no such file): sharing is best-effort, the workflow goes on. */
export const SharingRefusal = z.object({ fileId: DriveId, email: Email, reason: text(500, 1) }).strict();
export type SharingRefusal = z.infer<typeof SharingRefusal>;
export const SetSharingResult = z
  .object({
    /** Files every email got the role on. */
    sharedFileIds: z.array(DriveId).max(100),
    notShared: z.array(SharingRefusal).max(10_000).default([]),
  })
  .strict();

export const TrashFilesPayload = z.object({ fileIds: z.array(DriveId).min(1).max(100) });
export const TrashFilesResult = z.object({ trashedFileIds: z.array(DriveId) }).strict();

export const FormSubmission = z
  .object({
    formId: DriveId,
    /** The Form response id: the dedupe key for duplicate deliveries. */
    responseId: text(300, 1),
    /**
     * '' when the form gave no email (its collection type, an account without one): the submission
     * is still routed by formId (one form, one workflow), never dropped.
     */
    respondentEmail: z.union([Email, z.literal('')]),
    submittedAt: z.iso.datetime({ offset: true }),
    answers: z.array(z.object({ questionId: IdText, answer: Text }).strict()).max(500),
  })
  .strict();
export type FormSubmission = z.infer<typeof FormSubmission>;

export const ReadResponsesPayload = z.object({ spreadsheetUrl: UrlText, formId: DriveId });
export const ReadResponsesResult = z.object({ submissions: z.array(FormSubmission).max(1000) }).strict();

/**
 * One definition per command type, the table both sides read: payload and result contracts,
 * and the per-command policy. `storesResult`: the add-on keeps the result under the command id
 * and replays it on a re-delivery (false for read-only commands, e.g. read_responses, whose
 * result holds learner answers). `maxAttempts` / `retryBaseMs` / `retryMaxMs`: how often and how
 * soon the backend re-offers a command that failed retryably. The claimed-command union below,
 * the add-on's handler map and the backend's queue all derive from it, so a command type without
 * a handler fails `tsc`.
 */
export const COMMAND_CONTRACTS = {
  create_assessment_assets: {
    payload: CreateAssessmentAssetsPayload,
    result: CreateAssessmentAssetsResult,
    storesResult: true,
    maxAttempts: 5,
    retryBaseMs: 1000,
    retryMaxMs: 60_000,
  },
  write_tab: {
    payload: WriteTabPayload,
    result: WriteTabResult,
    storesResult: true,
    maxAttempts: 5,
    retryBaseMs: 1000,
    retryMaxMs: 60_000,
  },
  set_sharing: {
    payload: SetSharingPayload,
    result: SetSharingResult,
    storesResult: true,
    maxAttempts: 5,
    retryBaseMs: 1000,
    retryMaxMs: 60_000,
  },
  trash_files: {
    payload: TrashFilesPayload,
    result: TrashFilesResult,
    storesResult: true,
    maxAttempts: 5,
    retryBaseMs: 1000,
    retryMaxMs: 60_000,
  },
  read_responses: {
    payload: ReadResponsesPayload,
    result: ReadResponsesResult,
    storesResult: false,
    maxAttempts: 5,
    retryBaseMs: 1000,
    retryMaxMs: 60_000,
  },
} as const satisfies Record<string, CommandDefinition>;

export interface CommandDefinition {
  payload: z.ZodType;
  result: z.ZodType;
  storesResult: boolean;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export type CommandType = keyof typeof COMMAND_CONTRACTS;
export const COMMAND_TYPES = Object.keys(COMMAND_CONTRACTS) as [CommandType, ...CommandType[]];
export const CommandType = z.enum(COMMAND_TYPES);
export type CommandPayload<T extends CommandType> = z.infer<(typeof COMMAND_CONTRACTS)[T]['payload']>;
export type CommandResult<T extends CommandType> = z.infer<(typeof COMMAND_CONTRACTS)[T]['result']>;

/** W3C traceparent: version-traceid-spanid-flags (https://www.w3.org/TR/trace-context/). */
export const Traceparent = z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'a W3C traceparent');

function claimedVariant<T extends CommandType>(type: T) {
  return z.object({ type: z.literal(type), payload: COMMAND_CONTRACTS[type].payload as (typeof COMMAND_CONTRACTS)[T]['payload'] });
}
type ClaimedVariant = { [T in CommandType]: ReturnType<typeof claimedVariant<T>> }[CommandType];

/** A command as the add-on receives it from a claim: one variant per COMMAND_CONTRACTS entry. */
export const ClaimedCommand = z
  .discriminatedUnion('type', COMMAND_TYPES.map((t) => claimedVariant(t)) as unknown as [ClaimedVariant, ...ClaimedVariant[]])
  .and(
    z.object({
      id: IdText,
      workflowId: IdText,
      leaseToken: IdText,
      leaseExpiresAt: z.iso.datetime({ offset: true }),
      attempt: z.number().int().min(1),
      /** W3C trace context of the command's span (only when the backend traces); sent back with the result. */
      traceparent: Traceparent.optional(),
    }),
  );
export type ClaimedCommand = z.infer<typeof ClaimedCommand>;
/** The claimed command of one type. */
export type ClaimedCommandOf<T extends CommandType> = Extract<ClaimedCommand, { type: T }>;

/** What the add-on posts back: exactly one of result or error. */
export const CommandCompletion = z.union([
  z.object({ leaseToken: IdText, result: z.unknown(), traceparent: Traceparent.optional() }).strict(),
  z
    .object({
      leaseToken: IdText,
      error: z
        .object({
          message: text(2000, 1),
          /** Transient on the Workspace side (quota, timeout): the backend re-offers the command. */
          retryable: z.boolean(),
        })
        .strict(),
      traceparent: Traceparent.optional(),
    })
    .strict(),
]);
export type CommandCompletion = z.infer<typeof CommandCompletion>;

export type CreateAssessmentAssetsPayload = z.infer<typeof CreateAssessmentAssetsPayload>;
export type CreateAssessmentAssetsResult = z.infer<typeof CreateAssessmentAssetsResult>;
export type WriteTabPayload = z.infer<typeof WriteTabPayload>;
export type WriteTabResult = z.infer<typeof WriteTabResult>;
export type SetSharingPayload = z.infer<typeof SetSharingPayload>;
export type TrashFilesPayload = z.infer<typeof TrashFilesPayload>;
export type ReadResponsesPayload = z.infer<typeof ReadResponsesPayload>;
export type ReadResponsesResult = z.infer<typeof ReadResponsesResult>;
