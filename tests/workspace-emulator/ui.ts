/** SpreadsheetApp.getUi(): add-on menus, the sidebar, dialogs and alerts, recorded in the state. */
import { makeHandle, unwrapHandle } from './handles';
import type { HtmlOutputModel } from './html';
import type { Runtime } from './runtime';
import type { MenuRecord } from './state';

function htmlOf(rt: Runtime, output: unknown, method: string): HtmlOutputModel {
  const model = unwrapHandle<{ model: HtmlOutputModel }>(output, 'HtmlOutput')?.model;
  if (!model) rt.fail(`The parameters (${typeof output}) don't match the method signature for Ui.${method}.`);
  return model;
}

function menuHandle(rt: Runtime, title: string): object {
  const record: MenuRecord = { title, items: [] };
  const self: object = makeHandle(rt, 'Menu', {
    record,
    addItem: (caption: string, functionName: string) => {
      record.items.push({ caption: String(caption), functionName: String(functionName) });
      return self;
    },
    addSeparator: () => self,
    addSubMenu: (sub: unknown) => {
      const inner = unwrapHandle<{ record: MenuRecord }>(sub, 'Menu')?.record;
      if (inner) record.items.push(...inner.items);
      return self;
    },
    addToUi: () => {
      rt.state.menus = rt.state.menus.filter((m) => m.title !== record.title);
      rt.state.menus.push(record);
    },
  });
  return self;
}

export function createUi(rt: Runtime): object {
  return makeHandle(rt, 'Ui', {
    ButtonSet: { OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO', YES_NO_CANCEL: 'YES_NO_CANCEL' },
    Button: { OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE' },
    createAddonMenu: () => menuHandle(rt, 'PresGen add-on menu'),
    createMenu: (title: string) => menuHandle(rt, String(title)),
    showSidebar: (output: unknown) => {
      const html = htmlOf(rt, output, 'showSidebar');
      rt.state.sidebars.push({ title: html.title, html: html.content });
    },
    showModalDialog: (output: unknown, title: string) => {
      const html = htmlOf(rt, output, 'showModalDialog');
      rt.state.alerts.push(`dialog: ${String(title ?? html.title)}`);
    },
    alert: (titleOrPrompt: string, prompt?: unknown) => {
      rt.state.alerts.push(typeof prompt === 'string' ? `${titleOrPrompt}: ${prompt}` : String(titleOrPrompt));
      return 'OK';
    },
  });
}
