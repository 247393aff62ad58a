/**
 * @module cli/progress
 *
 * Progress of a long command on standard error: on a terminal, one bar redrawn in place
 * (`\r`); otherwise (a log file, CI, a pipe) plain lines, one each time another tenth is done,
 * so a log of a million-key rotation stays short. Pure formatting: `main.ts` owns the stream.
 */

export interface ProgressReporter {
  update(done: number, total: number): void;
  /** Ends the bar's line (terminal) or writes the last line (otherwise). */
  finish(): void;
}

const BAR_WIDTH = 30;

export function createProgressReporter(options: {
  readonly tty: boolean;
  readonly write: (text: string) => void;
  /** What is being counted: `data keys re-wrapped under v3`. */
  readonly label: string;
}): ProgressReporter {
  let last: { done: number; total: number } | undefined;
  let printedTenth = 0;
  let printed = '';
  const line = (done: number, total: number): string => `${done}/${total} ${options.label}`;
  return {
    update(done, total) {
      last = { done, total };
      const fraction = total === 0 ? 1 : Math.min(1, done / total);
      if (options.tty) {
        const filled = Math.round(fraction * BAR_WIDTH);
        options.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${Math.floor(fraction * 100)}% ${line(done, total)}`);
        return;
      }
      const tenth = Math.floor(fraction * 10);
      if (tenth > printedTenth) {
        printedTenth = tenth;
        printed = line(done, total);
        options.write(`${printed}\n`);
      }
    },
    finish() {
      if (options.tty) {
        if (last) options.write('\n');
        return;
      }
      if (last && line(last.done, last.total) !== printed) options.write(`${line(last.done, last.total)}\n`);
    },
  };
}
