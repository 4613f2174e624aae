/**
 * Finds the runnable command blocks of an operator document: fenced blocks whose info string
 * starts with `sh runbook`. Attributes after it:
 *   expect=<text>   stdout must contain <text> (the rest of the info string, spaces allowed)
 *   continue        run against the previous block's workflow instead of a fresh fixture
 */

export interface RunbookBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The nearest `##`/`###` heading above the block. */
  section: string;
  code: string;
  expect?: string;
  continueWorkflow: boolean;
}

const FENCE = /^(```+)\s*(.*)$/;

export function extractRunbookBlocks(markdown: string, file: string): RunbookBlock[] {
  const lines = markdown.split('\n');
  const blocks: RunbookBlock[] = [];
  let section = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#{2,3} (.+)$/.exec(lines[i]);
    if (heading) section = heading[1].trim();
    const fence = FENCE.exec(lines[i]);
    if (!fence) continue;
    const close = lines.findIndex((l, j) => j > i && l.trim() === fence[1]);
    if (close < 0) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    const info = fence[2].trim();
    const match = /^sh\s+runbook\b(.*)$/.exec(info);
    if (match) {
      const attrs = match[1];
      const expect = /\bexpect=(.+)$/.exec(attrs)?.[1].trim();
      const flags = attrs
        .replace(/\bexpect=.+$/, '')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
      const unknown = flags.filter((f) => f !== 'continue');
      if (unknown.length) throw new Error(`${file}:${i + 1}: unknown runbook attribute(s): ${unknown.join(', ')}`);
      blocks.push({
        file,
        line: i + 1,
        section,
        code: lines.slice(i + 1, close).join('\n'),
        expect: expect || undefined,
        continueWorkflow: flags.includes('continue'),
      });
    }
    i = close;
  }
  return blocks;
}
