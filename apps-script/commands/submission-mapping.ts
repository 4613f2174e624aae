import { FormSubmission } from '../../shared/contracts/commands';

/**
 * A Form response as the backend wants it: answers keyed by question id (not by form item id or
 * title), so grading never depends on what the form looks like.
 */

/** The parts of FormApp's FormResponse the mapping reads (structural, so it is testable). */
export interface ItemResponseLike {
  getItem(): { getId(): number | string };
  getResponse(): unknown;
}
export interface FormResponseLike {
  getId(): string;
  getRespondentEmail(): string;
  /** A Date (Google's, or one from another realm in a test runtime): only getTime is relied on. */
  getTimestamp(): { getTime(): number };
  getItemResponses(): ItemResponseLike[];
}

export type MappingResult = { ok: true; submission: FormSubmission } | { ok: false; reason: string };

export function toFormSubmission(formId: string, response: FormResponseLike, itemQuestionIds: Record<string, string>): MappingResult {
  const answers: FormSubmission['answers'] = [];
  for (const itemResponse of response.getItemResponses()) {
    const questionId = itemQuestionIds[String(itemResponse.getItem().getId())];
    // Items added to the form by hand are not questions of the assessment.
    if (!questionId) continue;
    answers.push({ questionId, answer: answerText(itemResponse.getResponse()) });
  }
  const candidate = {
    formId,
    responseId: response.getId(),
    respondentEmail: response.getRespondentEmail(),
    submittedAt: new Date(response.getTimestamp().getTime()).toISOString(),
    answers,
  };
  const parsed = FormSubmission.safeParse(candidate);
  if (parsed.success) return { ok: true, submission: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `${issue?.path.join('.') || 'response'}: ${issue?.message ?? 'invalid'}` };
}

/** Multiple choice answers are strings; checkbox answers arrive as arrays. */
function answerText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (value === null || value === undefined) return '';
  return String(value);
}
