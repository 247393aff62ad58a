/** Progress: a bar redrawn in place on a terminal, a short list of plain lines elsewhere. */
import { describe, expect, it } from 'vitest';
import { createProgressReporter } from './progress.ts';

function run(tty: boolean, steps: readonly number[], total: number): string {
  let out = '';
  const progress = createProgressReporter({ tty, write: (text) => (out += text), label: 'keys' });
  for (const done of steps) progress.update(done, total);
  progress.finish();
  return out;
}

describe('progress reporter', () => {
  it('redraws one bar on a terminal', () => {
    const out = run(true, [50, 100], 100);
    expect(out).toBe(`\r[${'#'.repeat(15)}${'.'.repeat(15)}] 50% 50/100 keys\r[${'#'.repeat(30)}] 100% 100/100 keys\n`);
  });

  it('prints a line per tenth otherwise, and the last one', () => {
    const steps = Array.from({ length: 100 }, (_, i) => i + 1);
    const lines = run(false, steps, 100).trimEnd().split('\n');
    expect(lines).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((n) => `${n}/100 keys`));
    expect(run(false, [3, 4], 7)).toBe('3/7 keys\n4/7 keys\n');
  });
});
