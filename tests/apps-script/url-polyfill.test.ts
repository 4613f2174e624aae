import { describe, expect, it } from 'vitest';
import { MinimalURL, installUrlPolyfill } from '../../apps-script/runtime/url-polyfill';

const FIELDS = ['protocol', 'hostname', 'port', 'pathname', 'search', 'hash', 'username', 'password'] as const;

describe('URL polyfill for Apps Script (no WHATWG URL there)', () => {
  it.each([
    'https://docs.google.com/spreadsheets/d/abc_123/edit#gid=0',
    'https://docs.google.com/forms/d/e/1FAIpQ/viewform?usp=sf_link',
    'http://127.0.0.1:8787/api/workflows',
    'HTTPS://Drive.Google.com/drive/folders/xyz',
    'https://user:pw@example.com:8443/a/b?c=d#e',
    'https://example.com',
    'mailto:someone@example.com',
  ])('agrees with Node on %s', (input) => {
    const mine = new MinimalURL(input);
    const node = new URL(input);
    for (const field of FIELDS) expect(mine[field], field).toBe(node[field]);
    expect(mine.href).toBe(node.href);
  });

  it.each(['not a url', 'https://', 'https://exa mple.com/', 'https://example.com:99999/', '//no-scheme.com', ''])(
    'refuses %j like Node does',
    (input) => {
      expect(() => new URL(input)).toThrow();
      expect(() => new MinimalURL(input)).toThrow(TypeError);
      expect(MinimalURL.canParse(input)).toBe(false);
      expect(MinimalURL.parse(input)).toBeNull();
    },
  );

  it('installs itself only where URL is missing', () => {
    const bare: Record<string, unknown> = {};
    expect(installUrlPolyfill(bare)).toBe(true);
    expect(bare.URL).toBe(MinimalURL);
    const withUrl: Record<string, unknown> = { URL };
    expect(installUrlPolyfill(withUrl)).toBe(false);
    expect(withUrl.URL).toBe(URL);
  });
});
