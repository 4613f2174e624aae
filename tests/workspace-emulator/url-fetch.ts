/**
 * UrlFetchApp: synchronous real HTTP. The request runs in a worker thread (url-fetch-worker.mjs)
 * while this thread blocks in Atomics.wait via synckit, so whatever serves the URL must live in
 * another thread or process. Enforces the manifest's urlFetchWhitelist and never leaves loopback.
 */
import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';
import { handleKind, isHandle, makeHandle, unwrapHandle } from './handles';
import { isLoopbackUrl, isUrlWhitelisted } from './manifest';
import { isDateLike } from './realm';
import type { Runtime } from './runtime';
import { blobHandle, bufferFrom, toSignedBytes } from './utilities';

interface WireRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  followRedirects: boolean;
  timeoutMs: number;
  loopbackOnly: boolean;
}

type WireResponse =
  { status: number; rawHeaders: string[]; body: Uint8Array; finalUrl: string; error?: undefined } | { error: string; message: string };

/** Apps Script's per-request limit. */
const FETCH_TIMEOUT_MS = 60_000;
const METHODS = new Set(['get', 'delete', 'patch', 'post', 'put']);

let performRequests: ((requests: WireRequest[]) => WireResponse[]) | undefined;
function performSync(requests: WireRequest[]): WireResponse[] {
  performRequests ??= createSyncFn(fileURLToPath(new URL('./url-fetch-worker.mjs', import.meta.url)), {
    timeout: FETCH_TIMEOUT_MS + 10_000,
  }) as unknown as (requests: WireRequest[]) => WireResponse[];
  return performRequests(requests);
}

interface FetchParams {
  method?: unknown;
  payload?: unknown;
  contentType?: unknown;
  headers?: unknown;
  muteHttpExceptions?: unknown;
  followRedirects?: unknown;
}

function encodePayload(rt: Runtime, payload: unknown): { body: Buffer; defaultType: string } {
  if (isHandle(payload)) {
    const blob = unwrapHandle<{ getBytes(): number[]; getContentType(): string | null }>(payload, 'Blob');
    if (!blob) rt.fail(`Invalid argument: payload (${handleKind(payload)})`);
    return { body: bufferFrom(blob.getBytes()), defaultType: blob.getContentType() ?? 'application/octet-stream' };
  }
  if (Array.isArray(payload)) return { body: bufferFrom(payload), defaultType: 'application/octet-stream' };
  if (payload !== null && typeof payload === 'object' && !isDateLike(payload)) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(payload)) form.append(k, String(v));
    return { body: Buffer.from(form.toString()), defaultType: 'application/x-www-form-urlencoded' };
  }
  return { body: Buffer.from(String(payload)), defaultType: 'application/x-www-form-urlencoded' };
}

export class UrlFetch {
  constructor(private readonly rt: Runtime) {}

  /** Validates url and params like Google and turns them into a request for the worker. */
  buildRequest(urlArg: unknown, paramsArg: unknown): WireRequest {
    const rt: Runtime = this.rt;
    let url: URL;
    try {
      url = new URL(String(urlArg));
    } catch {
      return rt.fail(`Invalid argument: ${String(urlArg)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') rt.fail(`Invalid argument: ${String(urlArg)}`);
    if (!isUrlWhitelisted(rt.manifest, url, rt.options.allowHttpLoopback)) {
      rt.fail(
        `You do not have permission to call UrlFetchApp.fetch for ${url.toString()}: the URL is not in the urlFetchWhitelist of the manifest (appsscript.json).`,
      );
    }
    // The emulator never leaves the machine: anything but loopback behaves like an unknown host.
    if (!isLoopbackUrl(url)) rt.fail(`DNS error: ${url.toString()}`);
    const params = (paramsArg ?? {}) as FetchParams;
    const method = String(params.method ?? 'get').toLowerCase();
    if (!METHODS.has(method)) rt.fail(`Invalid argument: method (${String(params.method)})`);
    const headers: Record<string, string> = {};
    if (params.headers !== undefined && params.headers !== null) {
      if (typeof params.headers !== 'object' || Array.isArray(params.headers)) rt.fail('Invalid argument: headers');
      for (const [k, v] of Object.entries(params.headers as Record<string, unknown>)) headers[k] = String(v);
    }
    let body: Buffer | null = null;
    if (params.payload !== undefined && params.payload !== null && method !== 'get') {
      const encoded = encodePayload(rt, params.payload);
      body = encoded.body;
      const hasContentType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
      if (!hasContentType) headers['Content-Type'] = params.contentType !== undefined ? String(params.contentType) : encoded.defaultType;
      headers['Content-Length'] = String(body.length);
    }
    const ex = rt.current!;
    const remaining = Math.max(1, ex.budgetMs - rt.elapsedMs(ex));
    return {
      url: url.toString(),
      method: method.toUpperCase(),
      headers,
      body: body ? new Uint8Array(body) : null,
      followRedirects: params.followRedirects !== false,
      timeoutMs: Math.min(FETCH_TIMEOUT_MS, remaining),
      loopbackOnly: true,
    };
  }

  private response(request: WireRequest, wire: WireResponse, mute: boolean): object {
    const rt: Runtime = this.rt;
    if (wire.error !== undefined) {
      if (wire.error === 'ENOTFOUND' || wire.error === 'EAI_AGAIN') rt.fail(`DNS error: ${request.url}`);
      if (wire.error === 'ETIMEDOUT') rt.fail(`Timeout: ${request.url}`);
      rt.fail(`Address unavailable: ${request.url}`);
    }
    const body = Buffer.from(wire.body);
    if (wire.status >= 400 && !mute) {
      const origin = new URL(request.url).origin;
      const text = body.toString('utf8');
      const truncated = text.length > 100 ? `${text.slice(0, 100)}...` : text;
      rt.fail(
        `Request failed for ${origin} returned code ${wire.status}. Truncated server response: ${truncated} (use muteHttpExceptions option to examine full response)`,
      );
    }
    const headers: Record<string, string | string[]> = {};
    for (let i = 0; i < wire.rawHeaders.length; i += 2) {
      const [name, value] = [wire.rawHeaders[i], wire.rawHeaders[i + 1]];
      const existing = headers[name];
      headers[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    const contentType = () => {
      const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      return entry === undefined ? null : Array.isArray(entry) ? entry[0] : entry;
    };
    return makeHandle(rt, 'HTTPResponse', {
      getResponseCode: () => wire.status,
      getContentText: () => body.toString('utf8'),
      getContent: () => toSignedBytes(body),
      getHeaders: () => ({ ...headers }),
      getAllHeaders: () => ({ ...headers }),
      getBlob: () => blobHandle(rt, Buffer.from(body), contentType(), null),
      getAs: () => blobHandle(rt, Buffer.from(body), contentType(), null),
    });
  }

  fetch(url: unknown, params: unknown): object {
    const request = this.buildRequest(url, params);
    this.rt.chargeQuota('UrlFetchApp.fetch', 1);
    const [wire] = performSync([request]);
    return this.response(request, wire, (params as FetchParams | undefined)?.muteHttpExceptions === true);
  }

  fetchAll(requests: unknown): object[] {
    if (!Array.isArray(requests)) this.rt.fail("The parameters don't match the method signature for UrlFetchApp.fetchAll.");
    const prepared = requests.map((r) => {
      const params = (typeof r === 'string' ? {} : r) as FetchParams & { url?: unknown };
      return { params, request: this.buildRequest(typeof r === 'string' ? r : params.url, params) };
    });
    this.rt.chargeQuota('UrlFetchApp.fetch', prepared.length);
    const wires = performSync(prepared.map((p) => p.request));
    return prepared.map((p, i) => this.response(p.request, wires[i], p.params.muteHttpExceptions === true));
  }
}

export function createUrlFetchApp(rt: Runtime): object {
  const urlFetch = new UrlFetch(rt);
  return makeHandle(rt, 'UrlFetchApp', {
    fetch: (url: unknown, params?: unknown) => urlFetch.fetch(url, params),
    fetchAll: (requests: unknown) => urlFetch.fetchAll(requests),
    getRequest: (url: unknown, params?: unknown) => {
      const request = urlFetch.buildRequest(url, params);
      return {
        url: request.url,
        method: request.method.toLowerCase(),
        headers: request.headers,
        payload: request.body ? Buffer.from(request.body).toString('utf8') : '',
        followRedirects: request.followRedirects,
      };
    },
  });
}
