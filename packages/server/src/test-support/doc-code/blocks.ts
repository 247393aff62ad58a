/**
 * @module test-support/doc-code/blocks
 *
 * The fenced code blocks of a Markdown document, with where they start, so the TypeScript in
 * the README and the guides can be run (see `program.ts` and `docs-code.int.test.ts`).
 *
 * A TypeScript block (```ts or ```typescript) runs unless its info string says why not:
 * ```` ```ts no-run: needs an identity token from Apple ````. Renderers use the first word of
 * the info string for highlighting, so the marker is invisible to readers.
 */

export interface CodeBlock {
  /** The info string's first word (`ts`, `json`, …), lower-cased; empty for a bare fence. */
  readonly language: string;
  /** The rest of the info string, trimmed (`no-run: …`). */
  readonly info: string;
  /** 1-based line of the block's first code line in the document. */
  readonly line: number;
  /** The code, with the fence's indentation removed. */
  readonly code: string;
}

export interface TypeScriptBlock extends CodeBlock {
  /** Why the block is not run; undefined when it runs. Empty when the marker gives no reason. */
  readonly noRun: string | undefined;
}

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/;

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = FENCE_OPEN.exec(lines[index] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '', language = '', info = ''] = open;
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !close.test(lines[end] ?? '')) {
      const line = lines[end] ?? '';
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
      end += 1;
    }
    blocks.push({ language: language.toLowerCase(), info: info.trim(), line: index + 2, code: body.join('\n') });
    index = end;
  }
  return blocks;
}

const NO_RUN = /^no-run\b:?\s*(.*)$/;

/** The TypeScript blocks of a document, each with its `no-run` reason if it has one. */
export function typeScriptBlocks(markdown: string): TypeScriptBlock[] {
  return codeBlocks(markdown)
    .filter((block) => block.language === 'ts' || block.language === 'typescript')
    .map((block) => ({ ...block, noRun: NO_RUN.exec(block.info)?.[1]?.trim() }));
}
