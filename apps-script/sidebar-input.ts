import { z } from 'zod';
import { CreateWorkflowRequest } from '../shared/contracts/api';

/**
 * What the sidebar sends, validated on the server side too (the browser's checks are a courtesy).
 * Errors name the field the way the sidebar labels it.
 */

const FIELD_LABELS: Record<string, string> = {
  certificationId: 'Certification',
  learnerEmail: 'Learner email',
  courseCount: 'Number of courses',
  slidesPerCourse: 'Slides per course',
  avatarVideos: 'Avatar videos',
  shareWithLearner: 'Share with learner',
  requestId: 'Request id',
  workflowId: 'Workflow',
  sheetUrl: 'Sheet URL',
};

/** HTML form values arrive as strings; counts are coerced, checkboxes may be 'on'/'true'. */
const checkbox = z.preprocess((v) => v === true || v === 'true' || v === 'on', z.boolean());

export const StartAssessmentForm = z.object({
  certificationId: CreateWorkflowRequest.shape.certificationId,
  learnerEmail: z.string().trim().pipe(CreateWorkflowRequest.shape.learnerEmail),
  courseCount: z.coerce.number().int().min(1).max(5),
  slidesPerCourse: z.coerce.number().int().min(1).max(40),
  avatarVideos: checkbox,
  shareWithLearner: checkbox,
  requestId: z.string().min(1).max(200).optional(),
});
export type StartAssessmentForm = z.infer<typeof StartAssessmentForm>;

export const WorkflowId = z.string().trim().min(1).max(200);

/** A Google Sheets link (the spreadsheet the form's responses went to). */
export const SheetUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https$/ }))
  .refine((url) => /\/spreadsheets\/d\/[A-Za-z0-9_-]+/.test(url), 'must be a link to a Google Sheets spreadsheet');

export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** Parse or throw an error whose message names the field in the sidebar's words. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, field?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const messages = result.error.issues.slice(0, 3).map((issue) => {
    const key = issue.path.length ? String(issue.path[0]) : (field ?? '');
    const label = FIELD_LABELS[key] ?? (key || 'Input');
    return `${label}: ${issue.message}`;
  });
  throw new InvalidInputError(messages.join('; '));
}

export function buildCreateWorkflowRequest(
  form: StartAssessmentForm,
  spreadsheetId: string,
  newRequestId: () => string,
): CreateWorkflowRequest {
  return CreateWorkflowRequest.parse({
    certificationId: form.certificationId,
    learnerEmail: form.learnerEmail,
    courseCount: form.courseCount,
    slidesPerCourse: form.slidesPerCourse,
    avatarVideos: form.avatarVideos,
    shareWithLearner: form.shareWithLearner,
    spreadsheetId,
    requestId: form.requestId ?? newRequestId(),
  });
}
