/**
 * The compiled server starts the way it is measured: `npm start` passes every flag the
 * benchmark targets run with.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from './build.mjs';

function startScript(manifest: string): string {
  const { scripts } = JSON.parse(readFileSync(new URL(manifest, import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  return scripts['start'] ?? '';
}

describe('npm start', () => {
  it.each(['../package.json', '../packages/server/package.json'])('%s runs the bundle with the server node flags', (manifest) => {
    const script = startScript(manifest);
    expect(script).toMatch(/build\/portcullis\.mjs start$/);
    for (const flag of SERVER_NODE_FLAGS) expect(script).toContain(` ${flag} `);
  });
});
