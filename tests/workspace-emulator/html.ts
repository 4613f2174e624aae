/** HtmlService: HTML outputs and templates (<?= ?>, <?!= ?>, <? ?>) read from the bundle folder. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeHandle } from './handles';
import type { Runtime } from './runtime';

export interface HtmlOutputModel {
  title: string;
  content: string;
  width?: number;
  height?: number;
}

export const HTML_ENUMS = {
  SandboxMode: { IFRAME: 'IFRAME', NATIVE: 'NATIVE', EMULATED: 'EMULATED' },
  XFrameOptionsMode: { ALLOWALL: 'ALLOWALL', DEFAULT: 'DEFAULT' },
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Compiles a template to the body of a sloppy-mode function of (__vars, __escape, __str): `with` needs sloppy mode. */
export function compileTemplate(source: string): string {
  let code = 'var __out = []; with (__vars) {\n';
  let last = 0;
  for (const match of source.matchAll(/<\?(!=|=)?([\s\S]*?)\?>/g)) {
    code += `__out.push(${JSON.stringify(source.slice(last, match.index))});\n`;
    const [, marker, body] = match;
    if (marker === '=') code += `__out.push(__escape(${body}));\n`;
    else if (marker === '!=') code += `__out.push(__str(${body}));\n`;
    else code += `${body}\n`;
    last = match.index + match[0].length;
  }
  code += `__out.push(${JSON.stringify(source.slice(last))});\n} return __out.join('');`;
  return code;
}

export function createHtmlService(rt: Runtime, bundleDir: string): object {
  const readHtmlFile = (name: string): string => {
    const file = join(bundleDir, name.endsWith('.html') ? name : `${name}.html`);
    if (!existsSync(file)) rt.fail(`No HTML file named ${name} was found.`);
    return readFileSync(file, 'utf8');
  };

  const output = (model: HtmlOutputModel): object => {
    let self: object;
    const set = (change: () => void) => {
      change();
      return self;
    };
    self = makeHandle(rt, 'HtmlOutput', {
      model,
      getContent: () => model.content,
      setContent: (html: string) => set(() => (model.content = String(html))),
      append: (html: string) => set(() => (model.content += String(html))),
      appendUntrusted: (text: string) => set(() => (model.content += escapeHtml(text))),
      getTitle: () => model.title,
      setTitle: (title: string) => set(() => (model.title = String(title))),
      getWidth: () => model.width ?? null,
      setWidth: (width: number) => set(() => (model.width = Number(width))),
      getHeight: () => model.height ?? null,
      setHeight: (height: number) => set(() => (model.height = Number(height))),
      setSandboxMode: () => self,
      setXFrameOptionsMode: () => self,
      addMetaTag: () => self,
      setFaviconUrl: () => self,
    });
    return self;
  };

  const template = (source: string): object => {
    const impl: Record<string, unknown> = {
      getRawContent: () => source,
      getCode: () => compileTemplate(source),
      evaluate: () => {
        const realm = rt.current!.realm;
        // Variables are whatever the script assigned on the template object.
        const vars = new realm.Object() as Record<string, unknown>;
        for (const [k, v] of Object.entries(impl)) if (!TEMPLATE_METHODS.has(k)) vars[k] = v;
        const render = new realm.Function('__vars', '__escape', '__str', compileTemplate(source)) as (...a: unknown[]) => string;
        const html = render(vars, escapeHtml, (v: unknown) => String(v ?? ''));
        return output({ title: '', content: html });
      },
    };
    return makeHandle(rt, 'HtmlTemplate', impl);
  };

  return makeHandle(rt, 'HtmlService', {
    ...HTML_ENUMS,
    createHtmlOutput: (html?: string) => output({ title: '', content: html === undefined ? '' : String(html) }),
    createHtmlOutputFromFile: (name: string) => output({ title: '', content: readHtmlFile(String(name)) }),
    createTemplate: (html: string) => template(String(html)),
    createTemplateFromFile: (name: string) => template(readHtmlFile(String(name))),
  });
}

const TEMPLATE_METHODS = new Set(['getRawContent', 'getCode', 'evaluate']);
