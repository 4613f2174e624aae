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
/** `${key}#${i}` (older writes) or `${key}#g${generation}.${i}`. */
const CHUNK_KEY = /#(g[a-z0-9]+\.)?\d+$/;

interface ChunkHeader {
  count: number;
  generation?: string;
}

/**
 * Every write of a chunked value uses new chunk keys (a generation) and switches over by writing the
 * header last, then drops the old chunks. A write cut short (daily Properties quota, the execution
 * killed) therefore leaves the old value readable, never a mix of old and new chunks; at worst some
 * unreferenced chunks of the new generation stay behind.
 */
export class JsonStore {
  constructor(
    private readonly props: PropertiesLike,
    private readonly newGeneration: () => string = () => Math.random().toString(36).slice(2, 10),
  ) {}

  get<T>(key: string): T | undefined {
    const raw = this.props.getProperty(key);
    if (raw === null || raw === undefined) return undefined;
    const header = parseHeader(raw);
    if (!header) return JSON.parse(raw) as T;
    let text = '';
    for (let i = 0; i < header.count; i++) {
      const part = this.props.getProperty(chunkKey(key, header, i));
      if (part === null || part === undefined) return undefined; // chunks gone: treat as absent
      text += part;
    }
    return JSON.parse(text) as T;
  }

  set(key: string, value: unknown): void {
    const text = JSON.stringify(value);
    const previous = parseHeader(this.props.getProperty(key));
    if (text.length <= MAX_CHUNK_CHARS && !text.startsWith(CHUNK_HEADER)) {
      this.props.setProperty(key, text);
    } else {
      const header: ChunkHeader = { count: Math.ceil(text.length / MAX_CHUNK_CHARS), generation: this.newGeneration() };
      for (let i = 0; i < header.count; i++) {
        this.props.setProperty(chunkKey(key, header, i), text.slice(i * MAX_CHUNK_CHARS, (i + 1) * MAX_CHUNK_CHARS));
      }
      this.props.setProperty(key, `${CHUNK_HEADER}${header.count}:${header.generation}`);
    }
    if (previous) this.deleteChunks(key, previous);
  }

  delete(key: string): void {
    const previous = parseHeader(this.props.getProperty(key));
    this.props.deleteProperty(key);
    if (previous) this.deleteChunks(key, previous);
  }

  /** Keys (without chunk parts) that start with prefix, with their raw values; one service call. */
  entries(prefix: string): Array<[string, string]> {
    const all = this.props.getProperties();
    return Object.keys(all)
      .filter((k) => k.startsWith(prefix) && !CHUNK_KEY.test(k))
      .map((k) => [k, all[k]] as [string, string]);
  }

  private deleteChunks(key: string, header: ChunkHeader): void {
    for (let i = 0; i < header.count; i++) this.props.deleteProperty(chunkKey(key, header, i));
  }
}

function parseHeader(raw: string | null | undefined): ChunkHeader | undefined {
  if (!raw || !raw.startsWith(CHUNK_HEADER)) return undefined;
  const [count, generation] = raw.slice(CHUNK_HEADER.length).split(':');
  return { count: Number(count), generation };
}

function chunkKey(key: string, header: ChunkHeader, i: number): string {
  return header.generation ? `${key}#g${header.generation}.${i}` : `${key}#${i}`;
}
