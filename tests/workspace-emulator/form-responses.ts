/**
 * Form responses: the learner's submission (recorded on the form, appended to the destination
 * spreadsheet's response tab) and the FormResponse/ItemResponse objects scripts read.
 */
import { makeHandle } from './handles';
import type { Runtime } from './runtime';
import { ensureGridSize, lastRowWithContent, writeGrid } from './sheet-grid';
import {
  newResponseId,
  type CellValue,
  type EmulatedForm,
  type EmulatedFormResponse,
  type EmulatedItem,
  type EmulatedSheet,
} from './state';

export interface FormItemHandles {
  itemHandle(formId: string, itemId: number, kind?: 'Item' | 'MultipleChoiceItem'): object;
}

export function scoreOf(form: EmulatedForm, response: EmulatedFormResponse): { score: number; max: number } {
  let score = 0;
  let max = 0;
  for (const item of form.items) {
    max += item.points;
    const answer = response.itemResponses.find((r) => r.itemId === item.id)?.response;
    if (answer !== undefined && item.choices.some((c) => c.isCorrect && c.value === answer)) score += item.points;
  }
  return { score, max };
}

function itemScore(item: EmulatedItem, answer: string): number {
  return item.choices.some((c) => c.isCorrect && c.value === answer) ? item.points : 0;
}

export function formResponseHandle(rt: Runtime, items: FormItemHandles, form: EmulatedForm, response: EmulatedFormResponse): object {
  const itemResponse = (itemId: number, answer: string) => {
    const item = form.items.find((i) => i.id === itemId);
    return makeHandle(rt, 'ItemResponse', {
      getItem: () => items.itemHandle(form.id, itemId),
      getResponse: () => answer,
      getScore: () => (item && form.isQuiz ? itemScore(item, answer) : null),
      getFeedback: () => null,
    });
  };
  const all = () => response.itemResponses.map((r) => itemResponse(r.itemId, r.response));
  return makeHandle(rt, 'FormResponse', {
    getId: () => response.id,
    getTimestamp: () => new Date(response.timestamp.getTime()),
    getRespondentEmail: () => response.respondentEmail,
    getItemResponses: all,
    getGradableItemResponses: all,
    getResponseForItem: (item: { getId(): number }) => {
      const id = item.getId();
      const found = response.itemResponses.find((r) => r.itemId === id);
      return found ? itemResponse(found.itemId, found.response) : null;
    },
    getEditResponseUrl: () => `https://docs.google.com/forms/d/e/${form.publishedId}/viewform?edit2=${response.id}`,
  });
}

/** "M/d/yyyy H:mm:ss", how a response timestamp reads in the sheet and in e.values. */
export function formatResponseTimestamp(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.month}/${parts.day}/${parts.year} ${Number(parts.hour)}:${parts.minute}:${parts.second}`;
}

/** Response tab columns, as Google lays them out: Timestamp, Email Address, Score (quizzes), one per item. */
export function responseColumns(form: EmulatedForm): string[] {
  return [
    'Timestamp',
    ...(form.collectEmail ? ['Email Address'] : []),
    ...(form.isQuiz ? ['Score'] : []),
    ...form.items.map((i) => i.title),
  ];
}

/** Makes sure row 1 has every column the form needs (existing columns keep their place). */
export function syncResponseHeader(sheet: EmulatedSheet, form: EmulatedForm): string[] {
  ensureGridSize(sheet, 1, 0);
  const header = sheet.values[0].map((v) => String(v));
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  for (const column of responseColumns(form)) if (!header.includes(column)) header.push(column);
  writeGrid(sheet, 1, 1, [header]);
  return header;
}

export interface RecordedSubmission {
  response: EmulatedFormResponse;
  row: number;
  header: string[];
  rowValues: CellValue[];
}

/** Appends the response row under the header; returns the row number and the values as written. */
export function appendResponseRow(sheet: EmulatedSheet, form: EmulatedForm, response: EmulatedFormResponse): RecordedSubmission {
  const header = syncResponseHeader(sheet, form);
  const rowValues: CellValue[] = new Array(header.length).fill('');
  const put = (column: string, value: CellValue) => {
    rowValues[header.indexOf(column)] = value;
  };
  put('Timestamp', new Date(response.timestamp.getTime()));
  if (form.collectEmail) put('Email Address', response.respondentEmail);
  if (form.isQuiz) {
    const { score, max } = scoreOf(form, response);
    put('Score', `${score} / ${max}`);
  }
  for (const answer of response.itemResponses) {
    const item = form.items.find((i) => i.id === answer.itemId);
    if (item) put(item.title, answer.response);
  }
  const row = Math.max(2, lastRowWithContent(sheet) + 1);
  writeGrid(sheet, row, 1, [rowValues]);
  return { response, row, header, rowValues };
}

/** Validates the learner's answers against the form (keys are item ids or titles) and records the response. */
export function recordResponse(
  form: EmulatedForm,
  answers: Record<string, string>,
  respondentEmail: string,
  now: number,
): EmulatedFormResponse {
  if (!form.published) throw new Error(`emulator: form ${form.id} is not published; a responder cannot submit it`);
  if (!form.acceptingResponses) throw new Error(`emulator: form ${form.id} is not accepting responses`);
  const byKey = new Map<string, EmulatedItem>();
  for (const item of form.items) {
    byKey.set(String(item.id), item);
    byKey.set(item.title, item);
  }
  const itemResponses = Object.entries(answers).map(([key, answer]) => {
    const item = byKey.get(key);
    if (!item) throw new Error(`emulator: form ${form.id} has no item "${key}"`);
    if (!item.choices.some((c) => c.value === answer)) {
      throw new Error(`emulator: "${answer}" is not a choice of item "${item.title}"`);
    }
    return { itemId: item.id, response: answer };
  });
  for (const item of form.items) {
    if (item.required && !itemResponses.some((r) => r.itemId === item.id)) {
      throw new Error(`emulator: required item "${item.title}" was not answered`);
    }
  }
  itemResponses.sort((a, b) => form.items.findIndex((i) => i.id === a.itemId) - form.items.findIndex((i) => i.id === b.itemId));
  const response: EmulatedFormResponse = {
    id: newResponseId(),
    timestamp: new Date(now),
    respondentEmail: form.collectEmail ? respondentEmail : '',
    itemResponses,
  };
  form.responses.push(response);
  return response;
}
