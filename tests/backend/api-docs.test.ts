import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { COMMAND_CONTRACTS } from '../../shared/contracts/commands';
import { TestApiClient } from '../support/api-client';
import { startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';

/**
 * docs/api.md and /openapi.json describe exactly what the live server does (issue 8): the same
 * routes, 401/403 where the server can answer them, strict bodies, every command's payload and
 * result schema, every ```json example valid against the live document, and the documented error
 * example reproduced by the server.
 */

type Json = Record<string, any>;
const DOC = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** `### \`POST /api/workflows\`` sections with their ```json blocks (```jsonc blocks are marked abbreviated and skipped). */
function docSections(): Array<{ method: string; path: string; blocks: string[] }> {
  const sections: Array<{ method: string; path: string; blocks: string[] }> = [];
  let current: { method: string; path: string; blocks: string[] } | undefined;
  let block: string[] | undefined;
  for (const line of DOC.split('\n')) {
    if (block) {
      if (line.startsWith('```')) {
        current?.blocks.push(block.join('\n'));
        block = undefined;
      } else block.push(line);
      continue;
    }
    const heading = /^#{2,3} `(GET|POST|PUT|PATCH|DELETE) ([^`?]+)/.exec(line);
    if (heading) sections.push((current = { method: heading[1].toLowerCase(), path: heading[2], blocks: [] }));
    else if (/^#{1,3} /.test(line)) current = undefined;
    else if (line === '```json') block = [];
  }
  return sections;
}

describe('docs/api.md and /openapi.json match the live server', () => {
  let identity: TestIdentityProvider;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let doc: Json;
  let ajv: Ajv2020;

  beforeAll(async () => {
    identity = await startTestIdentityProvider();
    backend = await startTestBackend(testConfig(identity), { runWorkers: false });
    doc = (await (await fetch(`${backend.url}/openapi.json`)).json()) as Json;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
  }, 60_000);
  afterAll(async () => {
    await backend?.stop();
    await identity?.close();
  });

  const operations = () =>
    Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] as Json })),
    );
  const validate = (schema: Json, value: unknown) => {
    const check = ajv.compile({ ...schema, components: doc.components });
    return check(value) ? undefined : ajv.errorsText(check.errors);
  };

  it('documents exactly the routes the server publishes', () => {
    const published = operations()
      .map(({ method, path }) => `${method} ${path}`)
      .sort();
    const documented = [...new Set(docSections().map(({ method, path }) => `${method} ${path}`))].sort();
    expect(documented).toEqual(published);
  });

  it('lists 401 on every /api route, 403 on every route that can refuse an identity, and strict request bodies', () => {
    const loose: string[] = [];
    const walk = (schema: Json | undefined, where: string) => {
      if (!schema || typeof schema !== 'object') return;
      if (schema.type === 'object' && schema.properties && schema.additionalProperties !== false) loose.push(where);
      for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
        (schema[key] as Json[] | undefined)?.forEach((s, i) => walk(s, `${where}.${key}[${i}]`));
      for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) walk(sub, `${where}.${name}`);
      if (schema.items) walk(schema.items, `${where}[]`);
    };
    for (const { method, path, op } of operations()) {
      expect(Object.keys(op.responses), `${method} ${path}`).toContain('401');
      if (path !== '/api/certifications') expect(Object.keys(op.responses), `${method} ${path}`).toContain('403');
      walk(op.requestBody?.content?.['application/json']?.schema, `${method} ${path}`);
    }
    for (const type of Object.keys(COMMAND_CONTRACTS)) walk(doc.components.schemas[resultName(type)], resultName(type));
    expect(loose).toEqual([]);
  });

  const resultName = (type: string) => `${type.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}Result`;

  it("publishes every command's payload and result schema, and the completion body refers to them", async () => {
    for (const type of Object.keys(COMMAND_CONTRACTS)) {
      const name = resultName(type);
      expect(doc.components.schemas[name], name).toBeDefined();
      expect(doc.components.schemas[name.replace(/Result$/, 'Payload')]).toBeDefined();
    }
    const body = doc.paths['/api/workspace/commands/{id}/complete'].post.requestBody.content['application/json'].schema;
    const withResult = body.anyOf.find((s: Json) => s.properties.result);
    expect(withResult.required).toContain('result');
    expect(withResult.properties.result.oneOf).toHaveLength(Object.keys(COMMAND_CONTRACTS).length);
    // The published schema refuses what the server refuses: an unknown key inside a result.
    const good = {
      folderId: 'f',
      folderUrl: 'https://d.example/f',
      formId: 'x',
      formUrl: 'https://f.example/e',
      formResponderUrl: 'https://f.example/r',
      formPublished: true,
      resultsSpreadsheetId: 'r',
      resultsSpreadsheetUrl: 'https://s.example/r',
      itemQuestionIds: {},
    };
    expect(validate(body, { leaseToken: 'l', result: good })).toBeUndefined();
    expect(validate(body, { leaseToken: 'l', result: { ...good, extra: 1 } })).toBeDefined();
  });

  it('every ```json example is a valid request or response of its route in the live document', () => {
    let checked = 0;
    for (const { method, path, blocks } of docSections()) {
      const op = doc.paths[path]?.[method] as Json;
      for (const text of blocks) {
        const example = JSON.parse(text);
        const candidates = [
          op.requestBody?.content?.['application/json']?.schema,
          ...Object.entries(op.responses as Record<string, Json>)
            .filter(([status]) => status.startsWith('2'))
            .map(([, r]) => r.content?.['application/json']?.schema),
        ].filter(Boolean) as Json[];
        const errors = candidates.map((schema) => validate(schema, example));
        expect(
          errors.some((e) => e === undefined),
          `${method} ${path}: ${text.slice(0, 120)}\n${errors.join('\n')}`,
        ).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('the documented error example is what the server answers, with details[].field', async () => {
    const documented = JSON.parse(/```json\n(\{\n {2}"error"[\s\S]*?)\n```/.exec(DOC)![1]);
    const alice = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'ada@school.example' }));
    const res = await alice.createWorkflow({
      certificationId: 'aws-saa-c03',
      learnerEmail: 'not-an-email',
      courseCount: 6,
      slidesPerCourse: 2,
      spreadsheetId: 's',
      extra: 1,
    });
    expect(res.status).toBe(400);
    expect({ ...res.body.error, correlationId: 'x' }).toEqual({ ...documented.error, correlationId: 'x' });
    expect(validate(doc.paths['/api/workflows'].post.responses['400'].content['application/json'].schema, res.body)).toBeUndefined();
  });

  it('the documented certification list is what the server answers', async () => {
    const section = docSections().find((s) => s.path === '/api/certifications')!;
    const alice = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'ada@school.example' }));
    expect((await alice.call('GET', '/api/certifications')).body).toEqual(JSON.parse(section.blocks[0]));
  });
});
