/**
 * @module test-support/doc-code/program
 *
 * Turns a document's runnable TypeScript blocks into one program, run in order as the reader
 * would paste them. Each block keeps its line number (everything between blocks becomes blank
 * lines), so an error at `README.md.ts:57` is an error at `README.md:57`.
 *
 * The only changes to the text are the documented `substitutions` (the example server URL
 * becomes the test server's) and a first line importing the helpers that stand for the app's
 * own screens (`world.ts`); line 1 of a document can never hold code, because a fence is there
 * at the earliest.
 */
import type { TypeScriptBlock } from './blocks.ts';

export interface ProgramOptions {
  /** One line of code placed on line 1. */
  readonly prelude: string;
  /** Literal text → replacement, applied to every runnable block. */
  readonly substitutions: ReadonlyArray<readonly [string, string]>;
}

export function documentProgram(blocks: readonly TypeScriptBlock[], options: ProgramOptions): string {
  if (options.prelude.includes('\n')) throw new TypeError('documentProgram: the prelude must be one line');
  const lines: string[] = [options.prelude];
  for (const block of blocks) {
    if (block.noRun !== undefined) continue;
    let code = block.code;
    for (const [from, to] of options.substitutions) code = code.replaceAll(from, to);
    while (lines.length < block.line - 1) lines.push('');
    lines.push(...code.split('\n'));
  }
  return `${lines.join('\n')}\n`;
}
