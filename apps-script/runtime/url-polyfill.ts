/**
 * Apps Script's V8 runtime has no WHATWG `URL` (it is a web/Node API, not ECMAScript), and zod's
 * `z.url()` — used by the shared contracts — parses with `new URL()`. Without this, every URL in a
 * command payload or result would be "invalid". This is a deliberately small parser for absolute
 * URLs: scheme, authority (host, port) and the rest, which is all zod inspects.
 * Installed only when the runtime lacks URL, so Node and browsers keep their own.
 */

const SPECIAL_SCHEMES = new Set(['http', 'https', 'ftp', 'ws', 'wss']);
const ABSOLUTE = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s;
const AUTHORITY = /^\/\/(?:([^@/?#]*)@)?(\[[0-9a-fA-F:.]+\]|[^/?#:]*)(?::(\d*))?([/?#].*)?$/s;
const FORBIDDEN_HOST_CHARS = /[\s<>^|\\%"`{}]/;

export class MinimalURL {
  readonly href: string;
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;

  constructor(input: string) {
    // The URL parser drops tabs/newlines anywhere and C0 controls/spaces at the edges.
    const text = String(input)
      .replace(/[\t\n\r]/g, '')
      .replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
    const absolute = ABSOLUTE.exec(text);
    if (!absolute) throw new TypeError(`Invalid URL: ${text}`);
    const scheme = absolute[1].toLowerCase();
    const rest = absolute[2];
    this.protocol = `${scheme}:`;
    const authority = AUTHORITY.exec(rest);
    if (SPECIAL_SCHEMES.has(scheme) && (!authority || !authority[2])) throw new TypeError(`Invalid URL: ${text}`);
    if (authority) {
      const [, userinfo = '', host, port = '', tail = ''] = authority;
      if (FORBIDDEN_HOST_CHARS.test(host)) throw new TypeError(`Invalid URL: ${text}`);
      if (port && Number(port) > 65535) throw new TypeError(`Invalid URL: ${text}`);
      const [username = '', password = ''] = userinfo ? userinfo.split(':') : [];
      this.username = username;
      this.password = password;
      this.hostname = host.toLowerCase();
      this.port = port;
      const split = splitTail(tail);
      this.pathname = split.pathname || (SPECIAL_SCHEMES.has(scheme) ? '/' : '');
      this.search = split.search;
      this.hash = split.hash;
    } else {
      this.username = this.password = this.hostname = this.port = '';
      const split = splitTail(rest);
      this.pathname = split.pathname;
      this.search = split.search;
      this.hash = split.hash;
    }
    const auth = this.username ? `${this.username}${this.password ? `:${this.password}` : ''}@` : '';
    const host = authority ? `//${auth}${this.hostname}${this.port ? `:${this.port}` : ''}` : '';
    this.href = `${this.protocol}${host}${this.pathname}${this.search}${this.hash}`;
  }

  get host(): string {
    return this.port ? `${this.hostname}:${this.port}` : this.hostname;
  }

  get origin(): string {
    return this.hostname ? `${this.protocol}//${this.host}` : 'null';
  }

  toString(): string {
    return this.href;
  }

  toJSON(): string {
    return this.href;
  }

  static canParse(input: string): boolean {
    try {
      new MinimalURL(input);
      return true;
    } catch {
      return false;
    }
  }

  static parse(input: string): MinimalURL | null {
    try {
      return new MinimalURL(input);
    } catch {
      return null;
    }
  }
}

function splitTail(tail: string): { pathname: string; search: string; hash: string } {
  const hashAt = tail.indexOf('#');
  const beforeHash = hashAt >= 0 ? tail.slice(0, hashAt) : tail;
  const hash = hashAt >= 0 && hashAt < tail.length - 1 ? tail.slice(hashAt) : '';
  const queryAt = beforeHash.indexOf('?');
  const pathname = queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash;
  const search = queryAt >= 0 && queryAt < beforeHash.length - 1 ? beforeHash.slice(queryAt) : '';
  return { pathname, search, hash };
}

/** Give the runtime a URL if it has none; returns whether it installed one. */
export function installUrlPolyfill(target: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): boolean {
  if (typeof target.URL === 'function') return false;
  target.URL = MinimalURL;
  return true;
}
