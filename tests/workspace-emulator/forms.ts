/** FormApp, Form, MultipleChoiceItem and Choice over the in-memory model. */
import { addDriveItem, idFromUrl, MIME } from './drive-model';
import { formResponseHandle, syncResponseHeader, type FormItemHandles } from './form-responses';
import { makeHandle, unwrapHandle } from './handles';
import type { Runtime } from './runtime';
import { addSheetModel, findSpreadsheet } from './spreadsheets';
import { newDriveId, newItemId, type EmulatedChoice, type EmulatedForm, type EmulatedItem } from './state';

const NO_FORM = 'No item with the given ID could be found, or you do not have permission to access it.';

export const FORM_ENUMS = {
  DestinationType: { SPREADSHEET: 'SPREADSHEET' },
  ItemType: {
    MULTIPLE_CHOICE: 'MULTIPLE_CHOICE',
    CHECKBOX: 'CHECKBOX',
    TEXT: 'TEXT',
    PARAGRAPH_TEXT: 'PARAGRAPH_TEXT',
    LIST: 'LIST',
    SCALE: 'SCALE',
    SECTION_HEADER: 'SECTION_HEADER',
    PAGE_BREAK: 'PAGE_BREAK',
  },
  EmailCollectionType: { DO_NOT_COLLECT: 'DO_NOT_COLLECT', VERIFIED: 'VERIFIED', RESPONDER_INPUT: 'RESPONDER_INPUT' },
};

export function formEditUrl(id: string): string {
  return `https://docs.google.com/forms/d/${id}/edit`;
}

export function formPublishedUrl(form: EmulatedForm): string {
  return `https://docs.google.com/forms/d/e/${form.publishedId}/viewform`;
}

/** Links the form to a spreadsheet: a new "Form Responses N" tab in front, headed like Google's. */
export function linkDestination(rt: Runtime, form: EmulatedForm, spreadsheetId: string): void {
  const spreadsheet = findSpreadsheet(rt, spreadsheetId);
  if (form.destinationId) unlinkDestination(rt, form);
  let n = 1;
  while (spreadsheet.sheets.some((s) => s.name === `Form Responses ${n}`)) n++;
  const sheet = addSheetModel(spreadsheet, `Form Responses ${n}`, 0);
  sheet.formId = form.id;
  sheet.frozenRows = 1;
  form.destinationId = spreadsheetId;
  form.destinationSheetId = sheet.sheetId;
  syncResponseHeader(sheet, form);
}

function unlinkDestination(rt: Runtime, form: EmulatedForm): void {
  const sheet = rt.state.spreadsheets.get(form.destinationId ?? '')?.sheets.find((s) => s.sheetId === form.destinationSheetId);
  if (sheet) delete sheet.formId;
  delete form.destinationId;
  delete form.destinationSheetId;
}

export class FormHandles implements FormItemHandles {
  constructor(private readonly rt: Runtime) {}

  private model(formId: string): EmulatedForm {
    const form = this.rt.state.forms.get(formId);
    if (!form) this.rt.fail(NO_FORM);
    return form;
  }

  private item(formId: string, itemId: number): EmulatedItem {
    const item = this.model(formId).items.find((i) => i.id === itemId);
    if (!item) this.rt.fail('The item has been deleted.');
    return item;
  }

  choiceHandle(choice: EmulatedChoice): object {
    return makeHandle(this.rt, 'Choice', {
      choice,
      getValue: () => choice.value,
      isCorrectAnswer: () => choice.isCorrect,
    });
  }

  private toChoices(values: unknown): EmulatedChoice[] {
    if (!Array.isArray(values)) this.rt.fail("The parameters don't match the method signature for FormApp.MultipleChoiceItem.setChoices.");
    const choices = values.map((v) => {
      const choice = unwrapHandle<{ choice: EmulatedChoice }>(v, 'Choice')?.choice;
      if (!choice) this.rt.fail("The parameters don't match the method signature for FormApp.MultipleChoiceItem.setChoices.");
      return { ...choice };
    });
    const seen = new Set<string>();
    for (const c of choices) {
      // Google rejects blank and duplicate choice values when saving the item.
      if (c.value.trim() === '' || seen.has(c.value)) this.rt.fail('Invalid data updating form.');
      seen.add(c.value);
    }
    return choices;
  }

  itemHandle(formId: string, itemId: number, kind: 'Item' | 'MultipleChoiceItem' = 'Item'): object {
    const item = () => this.item(formId, itemId);
    const common = {
      getId: () => itemId,
      getTitle: () => item().title,
      getHelpText: () => item().helpText,
      getType: () => item().type,
      getIndex: () => this.model(formId).items.findIndex((i) => i.id === itemId),
      asMultipleChoiceItem: () => this.itemHandle(formId, itemId, 'MultipleChoiceItem'),
    };
    if (kind === 'Item') return makeHandle(this.rt, 'Item', common);
    let self: object;
    const chain = (change: (i: EmulatedItem) => void) => () => {
      change(item());
      return self;
    };
    self = makeHandle(this.rt, 'MultipleChoiceItem', {
      ...common,
      setTitle: (title: string) => chain((i) => (i.title = String(title)))(),
      setHelpText: (text: string) => chain((i) => (i.helpText = String(text)))(),
      setRequired: (required: boolean) => chain((i) => (i.required = Boolean(required)))(),
      isRequired: () => item().required,
      setPoints: (points: number) => {
        if (!Number.isInteger(points) || points < 0) this.rt.fail('Invalid argument: points');
        return chain((i) => (i.points = points))();
      },
      getPoints: () => item().points,
      createChoice: (value: string, isCorrect?: boolean) => this.choiceHandle({ value: String(value), isCorrect: isCorrect === true }),
      setChoices: (choices: unknown) => chain((i) => (i.choices = this.toChoices(choices)))(),
      setChoiceValues: (values: unknown) => {
        if (!Array.isArray(values)) this.rt.fail('Invalid argument: values');
        const choices = values.map((v) => this.choiceHandle({ value: String(v), isCorrect: false }));
        return chain((i) => (i.choices = this.toChoices(choices)))();
      },
      getChoices: () => item().choices.map((c) => this.choiceHandle({ ...c })),
      showOtherOption: () => self,
      setFeedbackForCorrect: () => self,
      setFeedbackForIncorrect: () => self,
    });
    return self;
  }

  form(formId: string): object {
    const rt: Runtime = this.rt;
    const form = () => this.model(formId);
    let self: object;
    const chain = (change: (f: EmulatedForm) => void) => {
      change(form());
      return self;
    };
    const noop = () => self;
    self = makeHandle(rt, 'Form', {
      getId: () => formId,
      getTitle: () => form().title,
      setTitle: (title: string) => chain((f) => (f.title = String(title))),
      getDescription: () => form().description,
      setDescription: (text: string) => chain((f) => (f.description = String(text))),
      setIsQuiz: (isQuiz: boolean) => chain((f) => (f.isQuiz = Boolean(isQuiz))),
      isQuiz: () => form().isQuiz,
      setCollectEmail: (collect: boolean) => chain((f) => (f.collectEmail = Boolean(collect))),
      collectsEmail: () => form().collectEmail,
      setEmailCollectionType: (type: string) => {
        if (!(String(type) in FORM_ENUMS.EmailCollectionType)) rt.fail('Invalid argument: type');
        return chain((f) => (f.collectEmail = String(type) !== 'DO_NOT_COLLECT'));
      },
      getEmailCollectionType: () => (form().collectEmail ? 'VERIFIED' : 'DO_NOT_COLLECT'),
      setPublished: (published: boolean) => chain((f) => (f.published = Boolean(published))),
      isPublished: () => form().published,
      setAcceptingResponses: (accepting: boolean) => chain((f) => (f.acceptingResponses = Boolean(accepting))),
      isAcceptingResponses: () => form().acceptingResponses,
      setDestination: (type: string, id: string) => {
        if (String(type) !== 'SPREADSHEET') rt.fail('Invalid argument: type');
        linkDestination(rt, form(), String(id));
        return self;
      },
      getDestinationId: () => form().destinationId ?? rt.fail('The form currently has no response destination.'),
      getDestinationType: () => (form().destinationId ? 'SPREADSHEET' : rt.fail('The form currently has no response destination.')),
      removeDestination: () => chain((f) => unlinkDestination(rt, f)),
      getEditUrl: () => formEditUrl(formId),
      getPublishedUrl: () => formPublishedUrl(form()),
      getSummaryUrl: () => `https://docs.google.com/forms/d/${formId}/viewanalytics`,
      shortenFormUrl: (url: string) => String(url),
      addMultipleChoiceItem: () => {
        const item: EmulatedItem = {
          id: newItemId(),
          type: 'MULTIPLE_CHOICE',
          title: '',
          helpText: '',
          required: false,
          points: 0,
          choices: [],
        };
        form().items.push(item);
        return this.itemHandle(formId, item.id, 'MultipleChoiceItem');
      },
      getItems: (type?: string) =>
        form()
          .items.filter((i) => type === undefined || i.type === String(type))
          .map((i) => this.itemHandle(formId, i.id)),
      getItemById: (id: number) => (form().items.some((i) => i.id === Number(id)) ? this.itemHandle(formId, Number(id)) : null),
      deleteItem: (indexOrItem: unknown) => {
        const items = form().items;
        const index =
          typeof indexOrItem === 'number' ? indexOrItem : items.findIndex((i) => i.id === (indexOrItem as { getId(): number }).getId());
        if (index < 0 || index >= items.length) rt.fail('Invalid argument: index');
        items.splice(index, 1);
      },
      getResponses: () => form().responses.map((r) => formResponseHandle(rt, this, form(), r)),
      getResponse: (responseId: string) => {
        const response = form().responses.find((r) => r.id === responseId);
        if (!response) rt.fail('No response with ID ' + responseId + ' exists for this form.');
        return formResponseHandle(rt, this, form(), response);
      },
      deleteAllResponses: () => chain((f) => (f.responses = [])),
      addEditor: (email: string) => {
        const file = rt.state.driveItems.get(formId);
        if (file && !file.editors.includes(String(email))) file.editors.push(String(email));
        return self;
      },
      setConfirmationMessage: noop,
      setAllowResponseEdits: noop,
      setLimitOneResponsePerUser: noop,
      setShuffleQuestions: noop,
      setProgressBar: noop,
      setRequireLogin: noop,
      setShowLinkToRespondAgain: noop,
      setPublishingSummary: noop,
    });
    return self;
  }
}

/** Opening a form needs edit access: another person's form linked to your spreadsheet is not yours to open. */
function canEdit(rt: Runtime, formId: string): boolean {
  const file = rt.state.driveItems.get(formId);
  const user = rt.options.user.email;
  return !file || file.owner === user || file.editors.includes(user);
}

export function createFormApp(rt: Runtime, forms: FormHandles): object {
  return makeHandle(rt, 'FormApp', {
    ...FORM_ENUMS,
    create: (title: string) => {
      rt.chargeQuota('FormApp.create', 1);
      const file = addDriveItem(rt.state, { name: String(title), mimeType: MIME.form, owner: rt.options.user.email }, rt.now());
      const form: EmulatedForm = {
        id: file.id,
        publishedId: `1FAIpQL${newDriveId().slice(1, 50)}`,
        title: String(title),
        description: '',
        isQuiz: false,
        published: false,
        acceptingResponses: true,
        collectEmail: false,
        items: [],
        responses: [],
      };
      rt.state.forms.set(form.id, form);
      return forms.form(form.id);
    },
    openById: (id: string) => {
      if (!rt.state.forms.has(String(id)) || !canEdit(rt, String(id))) rt.fail(NO_FORM);
      return forms.form(String(id));
    },
    openByUrl: (url: string) => {
      const text = String(url);
      const published = /\/forms\/d\/e\/([A-Za-z0-9_-]+)/.exec(text)?.[1];
      const form = published
        ? [...rt.state.forms.values()].find((f) => f.publishedId === published)
        : rt.state.forms.get(idFromUrl(text) ?? '');
      if (!form || !canEdit(rt, form.id)) rt.fail(NO_FORM);
      return forms.form(form.id);
    },
    getActiveForm: () => null,
  });
}
