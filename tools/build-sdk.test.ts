/**
 * `@portcullis/sdk` installs like any package: built and laid out as npm installs it, plain
 * `node` (no TypeScript loader) imports it, constructs a client and resolves every subpath; a
 * bundler resolves it through its `exports` map; nothing of the protocol's schema runtime is
 * left in it; and an app that only signs in and calls `fetch` ships at most 15 KB gzipped.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SDK_DIR,
  SIGN_IN_FETCH_BUDGET_GZIP_BYTES,
  buildSdkDeclarations,
  buildSdkJavaScript,
  measureSdkBundles,
  sdkSubpaths,
} from './build-sdk.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

let app: string;
let installed: string;

beforeAll(async () => {
  // An app folder with the SDK in node_modules, as `npm install @portcullis/sdk` leaves it:
  // the manifest and dist/, no sources, and its npm dependency beside it.
  app = mkdtempSync(path.join(tmpdir(), 'portcullis-sdk-app-'));
  installed = path.join(app, 'node_modules/@portcullis/sdk');
  mkdirSync(installed, { recursive: true });
  cpSync(path.join(SDK_DIR, 'package.json'), path.join(installed, 'package.json'));
  await buildSdkJavaScript(path.join(installed, 'dist'));
  symlinkSync(path.join(ROOT, 'node_modules/@simplewebauthn'), path.join(app, 'node_modules/@simplewebauthn'), 'dir');
});

afterAll(() => {
  rmSync(app, { recursive: true, force: true });
});

/** Runs an ES module with plain `node` in the app folder, without any loader. */
function runNode(source: string): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  const result = spawnSync(process.execPath, ['--input-type=module', '--eval', source], { cwd: app, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => path.join(dir, file));
}

describe('the built @portcullis/sdk', () => {
  it('is imported by plain node, which constructs a client with it', () => {
    const { status, stdout, stderr } = runNode(`
      import { MemoryTokenStore, PortcullisClient, isApiError } from '@portcullis/sdk';
      import { CoreClient } from '@portcullis/sdk/core';
      const client = new PortcullisClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
      const core = new CoreClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
      console.log(JSON.stringify({
        session: await client.currentSession(),
        methods: typeof client.signIn === 'function' && typeof client.fetch === 'function',
        core: core instanceof CoreClient && client instanceof CoreClient,
        guard: isApiError(new Error('x')),
      }));
    `);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ session: null, methods: true, core: true, guard: false });
  });

  it('resolves every subpath of its exports map in plain node', () => {
    const subpaths = sdkSubpaths().map(({ subpath }) => subpath.replace(/^\./, '@portcullis/sdk'));
    expect(subpaths).toEqual(
      expect.arrayContaining([
        '@portcullis/sdk',
        '@portcullis/sdk/core',
        '@portcullis/sdk/sessions',
        '@portcullis/sdk/records',
        '@portcullis/sdk/admin',
        '@portcullis/sdk/elevation',
        '@portcullis/sdk/audit',
        '@portcullis/sdk/messaging',
      ]),
    );
    const { status, stdout, stderr } = runNode(`
      const counts = {};
      for (const name of ${JSON.stringify(subpaths)}) counts[name] = Object.keys(await import(name)).length;
      console.log(JSON.stringify(counts));
    `);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const counts = JSON.parse(stdout) as Record<string, number>;
    for (const name of subpaths) expect(counts[name], name).toBeGreaterThan(0);
  });

  it('needs nothing of @portcullis/protocol or TypeBox at run time', () => {
    for (const file of builtFiles(path.join(installed, 'dist'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from\s*["']@portcullis\/protocol["']/);
      expect(text, file).not.toMatch(/from\s*["']typebox/);
    }
  });

  it('is resolved by a bundler through its exports map, to the built files', async () => {
    const result = await build({
      stdin: {
        contents: "export { PortcullisClient } from '@portcullis/sdk'; export { signIn } from '@portcullis/sdk/sessions';",
        resolveDir: app,
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('node_modules/@portcullis/sdk/dist/'))).toBe(true);
    expect(inputs.filter((input) => input.endsWith('.ts'))).toEqual([]);
  });
});

describe('the declarations of the built @portcullis/sdk', () => {
  it('type-check an app in strict mode (skipLibCheck, as apps compile), with none of the repository’s settings', () => {
    buildSdkDeclarations();
    cpSync(path.join(SDK_DIR, 'dist/types'), path.join(installed, 'dist/types'), { recursive: true });
    // The wire types come from the protocol's declarations (its `types` condition), and TypeBox's.
    symlinkSync(path.join(ROOT, 'packages/protocol'), path.join(app, 'node_modules/@portcullis/protocol'), 'dir');
    symlinkSync(path.join(ROOT, 'node_modules/typebox'), path.join(app, 'node_modules/typebox'), 'dir');
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          lib: ['ES2023', 'DOM'],
          types: [],
        },
        files: ['app.ts'],
      }),
    );
    writeFileSync(
      path.join(app, 'app.ts'),
      `
      import { MemoryTokenStore, PortcullisClient, isInsufficientAuthentication, type Account } from '@portcullis/sdk';
      import { CoreClient } from '@portcullis/sdk/core';
      import { signIn } from '@portcullis/sdk/sessions';
      import { listAccounts } from '@portcullis/sdk/admin';

      const client = new PortcullisClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
      const core = new CoreClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });

      export async function run(): Promise<string> {
        await signIn(core, { email: 'ada@example.com', password: 'x', device: { label: 'Web', platform: 'web' } });
        const { accounts } = await listAccounts(client, { limit: 5 });
        try {
          const account: Account = await client.getAccount();
          return account.email;
        } catch (error) {
          if (isInsufficientAuthentication(error)) return error.methods.join(' or ');
        }
        // @ts-expect-error the session the app sees has no tokens
        void (await client.currentSession())?.accessToken;
        return accounts[0]?.email ?? '';
      }
      `,
    );
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], { encoding: 'utf8' });
    expect(tsc.stdout).toBe('');
    expect(tsc.status).toBe(0);
  }, 180_000); // two compiler runs, the first rebuilding the declarations when sources changed
});

describe('what an app ships', () => {
  it('signing in and calling fetch costs at most 15 KB gzipped, without the schema runtime or other features', async () => {
    const bundles = await measureSdkBundles();
    const signInFetch = bundles.find((bundle) => bundle.name.startsWith('sign in + fetch'));
    expect(signInFetch).toBeDefined();
    expect(signInFetch!.gzipBytes).toBeLessThanOrEqual(SIGN_IN_FETCH_BUDGET_GZIP_BYTES);
    const inputs = signInFetch!.inputs.join('\n');
    expect(inputs).not.toMatch(/typebox|packages\/protocol\//);
    expect(inputs).not.toMatch(/@simplewebauthn|sdk\/src\/(?:admin|audit|records|elevation|factors|federation)\//);
    // The whole SDK stays far below what it was with the schema runtime (135 KB minified).
    const full = bundles.find((bundle) => bundle.name.startsWith('full SDK'));
    expect(full!.inputs.join('\n')).not.toMatch(/typebox/);
  });
});
