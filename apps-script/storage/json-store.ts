/**
 * JSON values in a PropertiesService store. One property holds at most 9 KB, so larger values are
 * split into numbered chunks behind a small header; readers never see the difference.
 */

/** The part of GoogleAppsScript.Properties.Properties this store needs. */
export interface PropertiesLike {
  getProperty(key: string): string | null;
  setProperty(key: string, value: string): unknown;
  deleteProperty(key: string): unknown;
  getProperties(): Record<string, string>;
}

/** Below Google's 9 KB per value, with room for the key. */
export const MAX_CHUNK_CHARS = 8_000;
const CHUNK_HEADER = '__chunks:';

export class JsonStore {
  constructor(private readonly props: PropertiesLike) {}

  get<T>(key: string): T | undefined {
    const raw = this.props.getProperty(key);
    if (raw === null || raw === undefined) return undefined;
    if (!raw.startsWith(CHUNK_HEADER)) return JSON.parse(raw) as T;
    const count = Number(raw.slice(CHUNK_HEADER.length));
    let text = '';
    for (let i = 0; i < count; i++) {
      const part = this.props.getProperty(`${key}#${i}`);
      if (part === null || part === undefined) return undefined; // torn write: treat as absent
      text += part;
    }
    return JSON.parse(text) as T;
  }

  set(key: string, value: unknown): void {
    const text = JSON.stringify(value);
    if (text.length <= MAX_CHUNK_CHARS && !text.startsWith(CHUNK_HEADER)) {
      this.deleteChunks(key);
      this.props.setProperty(key, text);
      return;
    }
    const count = Math.ceil(text.length / MAX_CHUNK_CHARS);
    // Chunks first, header last: a crash in between leaves the old value or nothing readable.
    for (let i = 0; i < count; i++) this.props.setProperty(`${key}#${i}`, text.slice(i * MAX_CHUNK_CHARS, (i + 1) * MAX_CHUNK_CHARS));
    this.props.setProperty(key, `${CHUNK_HEADER}${count}`);
  }

  delete(key: string): void {
    this.deleteChunks(key);
    this.props.deleteProperty(key);
  }

  /** Keys (without chunk parts) that start with prefix, with their raw values; one service call. */
  entries(prefix: string): Array<[string, string]> {
    const all = this.props.getProperties();
    return Object.keys(all)
      .filter((k) => k.startsWith(prefix) && !/#\d+$/.test(k))
      .map((k) => [k, all[k]] as [string, string]);
  }

  private deleteChunks(key: string): void {
    const raw = this.props.getProperty(key);
    if (!raw || !raw.startsWith(CHUNK_HEADER)) return;
    const count = Number(raw.slice(CHUNK_HEADER.length));
    for (let i = 0; i < count; i++) this.props.deleteProperty(`${key}#${i}`);
  }
}
