import { describe, expect, it } from 'vitest';
import { toFormSubmission, type FormResponseLike } from '../../apps-script/commands/submission-mapping';

function response(opts: { id?: string; email?: string; at?: Date; answers: Array<[number, unknown]> }): FormResponseLike {
  return {
    getId: () => opts.id ?? 'resp-1',
    getRespondentEmail: () => opts.email ?? 'learner@example.com',
    getTimestamp: () => opts.at ?? new Date('2026-03-01T10:00:00Z'),
    getItemResponses: () => opts.answers.map(([itemId, value]) => ({ getItem: () => ({ getId: () => itemId }), getResponse: () => value })),
  };
}

const itemQuestionIds = { '101': 'q-net-1', '102': 'q-sec-1', '103': 'q-sec-2' };

describe('FormSubmission from a form response', () => {
  it('keys answers by question id, not by form item id', () => {
    const result = toFormSubmission(
      'form-1',
      response({
        answers: [
          [101, 'TCP'],
          [102, 'AES'],
          [103, 'RSA'],
        ],
      }),
      itemQuestionIds,
    );
    expect(result).toEqual({
      ok: true,
      submission: {
        formId: 'form-1',
        responseId: 'resp-1',
        respondentEmail: 'learner@example.com',
        submittedAt: '2026-03-01T10:00:00.000Z',
        answers: [
          { questionId: 'q-net-1', answer: 'TCP' },
          { questionId: 'q-sec-1', answer: 'AES' },
          { questionId: 'q-sec-2', answer: 'RSA' },
        ],
      },
    });
  });

  it('skips items that are not assessment questions and joins checkbox answers', () => {
    const result = toFormSubmission(
      'form-1',
      response({
        answers: [
          [999, 'extra'],
          [101, ['A', 'B']],
        ],
      }),
      itemQuestionIds,
    );
    expect(result.ok && result.submission.answers).toEqual([{ questionId: 'q-net-1', answer: 'A, B' }]);
  });

  it('accepts a timestamp from another realm (only getTime is used)', () => {
    const foreign = { getTime: () => Date.parse('2026-03-02T08:00:00Z') } as unknown as Date;
    const result = toFormSubmission('form-1', response({ at: foreign, answers: [] }), itemQuestionIds);
    expect(result.ok && result.submission.submittedAt).toBe('2026-03-02T08:00:00.000Z');
  });

  it('keeps a response without a respondent email: it is routed by form, never dropped', () => {
    const result = toFormSubmission('form-1', response({ email: '', answers: [[101, 'TCP']] }), itemQuestionIds);
    expect(result.ok && result.submission).toMatchObject({ formId: 'form-1', respondentEmail: '' });
  });

  it('refuses a respondent email that is not an address, naming the field', () => {
    const result = toFormSubmission('form-1', response({ email: 'not an email', answers: [[101, 'TCP']] }), itemQuestionIds);
    expect(!result.ok && result.reason).toMatch(/^respondentEmail:/);
  });
});
