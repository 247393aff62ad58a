/**
 * The TypeScript in the README and in the guides under docs/ runs, unchanged, against the real
 * server: a walkthrough that calls the SDK wrongly (say, `revokeSession(sessions[1].id)`, which
 * signs out the caller's own session or throws when there is no second one) fails here.
 *
 * Each document's ```ts blocks run in order as one program (test-support/doc-code/program.ts),
 * in a process of its own that imports `@portcullis/sdk` as an app does (its built package, which
 * is rebuilt first so it matches the sources), against the server over
 * HTTPS with the development certificate trusted the way the README says
 * (`NODE_EXTRA_CA_CERTS=<dataDir>/tls/dev-localhost-cert.pem`). Two things differ from the text:
 * - `https://auth.example.com`, the example server, becomes the test server's URL;
 * - `askUser`, `showQrCode`, `showRecoveryCodesOnce` and `showHint`, which stand for the app's own
 *   screens, are provided (test-support/doc-code/world.ts): the person reads emailed and texted
 *   codes from the development outbox and has a real authenticator app.
 * SMS codes are switched on (`mfa.smsCodes.enabled`) so the guide to them runs too.
 * A block that cannot run here says why in its info string (```ts no-run: needs Apple's servers).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SDK_DIR, buildSdkJavaScript } from '../../../tools/build-sdk.mjs';
import { typeScriptBlocks, type TypeScriptBlock } from './test-support/doc-code/blocks.ts';
import { documentProgram } from './test-support/doc-code/program.ts';
import { startRealTestServer } from './test-support/real-server.ts';
import { childEnv } from './test-support/cli.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORLD = fileURLToPath(new URL('./test-support/doc-code/world.ts', import.meta.url));
/** Inside the repository, so the program resolves `@portcullis/sdk` from its node_modules. */
const PROGRAMS = path.join(ROOT, '.test-results', 'doc-code');
const EXAMPLE_SERVER = 'https://auth.example.com';

const DOCUMENTS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('docs', file))
    .sort(),
];

const blocksOf = new Map<string, TypeScriptBlock[]>(
  DOCUMENTS.map((document) => [document, typeScriptBlocks(readFileSync(path.join(ROOT, document), 'utf8'))]),
);

interface ProgramRun {
  readonly code: number | null;
  readonly output: string;
}

function runProgram(file: string, env: Readonly<Record<string, string>>): Promise<ProgramRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

// The programs resolve `@portcullis/sdk` through its exports map to dist/, as an installed package.
beforeAll(() => buildSdkJavaScript(path.join(SDK_DIR, 'dist')), 60_000);

it('the README’s SDK walkthrough is among the blocks that run', () => {
  const runnable = (blocksOf.get('README.md') ?? []).filter((block) => block.noRun === undefined);
  expect(runnable.some((block) => block.code.includes('new PortcullisClient('))).toBe(true);
});

describe.each(DOCUMENTS.filter((document) => (blocksOf.get(document) ?? []).length > 0))('%s', (document) => {
  const blocks = blocksOf.get(document) ?? [];
  const runnable = blocks.filter((block) => block.noRun === undefined);

  it('every TypeScript block runs, or its fence says why not (```ts no-run: <reason>)', () => {
    expect(blocks.filter((block) => block.noRun === '').map((block) => `${document}:${block.line}`)).toEqual([]);
  });

  // A document whose blocks are all marked no-run has nothing to run (no skipped test in CI).
  if (runnable.length > 0) {
    it('runs, block after block, against the real HTTPS server', async () => {
      const { server, baseUrl, certificateFile } = await startRealTestServer({
        tls: 'self-signed',
        // Development, as after `npm start`: the outbox holds the emailed and texted codes.
        config: () => ({ environment: 'development', mfa: { smsCodes: { enabled: true } } }),
      });
      try {
        mkdirSync(PROGRAMS, { recursive: true });
        // Named after the document, so a stack trace reads README.md.ts:<line of README.md>.
        const file = path.join(PROGRAMS, `${document.replaceAll(path.sep, '__')}.ts`);
        const prelude = `import { askUser, showHint, showQrCode, showRecoveryCodesOnce } from ${JSON.stringify(pathToFileURL(WORLD).href)};`;
        writeFileSync(file, documentProgram(blocks, { prelude, substitutions: [[EXAMPLE_SERVER, baseUrl]] }));
        const run = await runProgram(file, { NODE_EXTRA_CA_CERTS: certificateFile ?? '', PORTCULLIS_DOCS_BASE_URL: baseUrl });
        expect(run, `${document} failed (line numbers are the document's):\n${run.output}`).toEqual({ code: 0, output: '' });
      } finally {
        await server.close();
      }
    }, 120_000);
  }
});
