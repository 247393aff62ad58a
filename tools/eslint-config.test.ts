/**
 * @module tools/eslint-config.test
 *
 * The lint rules that keep a convention in place are themselves checked: the rule the real
 * configuration applies to a server route file must refuse a cast of a request input
 * (`request.body as …`), whose type has to come from the route's schema, and leave typed reads
 * alone.
 */
import { fileURLToPath } from 'node:url';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUTE_FILE = 'packages/server/src/modules/admin/routes.ts';

/** Runs only the `no-restricted-syntax` setting the repository's configuration gives `ROUTE_FILE`. */
let lint: (code: string) => Linter.LintMessage[];

beforeAll(async () => {
  const config = (await new ESLint({ cwd: REPO_ROOT }).calculateConfigForFile(ROUTE_FILE)) as Linter.Config;
  const rule = config.rules?.['no-restricted-syntax'];
  if (rule === undefined) throw new TypeError(`no no-restricted-syntax rule applies to ${ROUTE_FILE}`);
  const linter = new Linter({ configType: 'flat' });
  const languageOptions = { parser: tseslint.parser } as Linter.Config['languageOptions'];
  lint = (code) => linter.verify(code, [{ files: ['**/*.ts'], languageOptions, rules: { 'no-restricted-syntax': rule } }], 'routes.ts');
});

describe('no casts of request inputs in server routes', () => {
  it.each([
    ['a body cast', 'const body = request.body as SignUpRequest;'],
    ['a params cast to an inline type', 'const { id } = request.params as { id: string };'],
    ['a query cast in parentheses', 'const limit = (request.query as { limit?: string }).limit;'],
    ['a headers cast', 'const headers = request.headers as Record<string, string>;'],
    ['an angle-bracket assertion', 'const query = <AuditEntryQuery>request.query;'],
    ['a cast on a request named req', 'const body = req.body as unknown;'],
  ])('refuses %s', (_name, code) => {
    const messages = lint(code);
    expect(messages.map((m) => m.ruleId)).toEqual(['no-restricted-syntax']);
    expect(messages[0]?.message).toMatch(/Do not cast request inputs/);
  });

  it.each([
    ['a typed body read', 'const { roles } = request.body;'],
    ['a typed params read', 'const { id } = request.params;'],
    ['a cast of something else', 'const contract = request.routeOptions.config as Partial<RouteSecurity>;'],
    ['a body on another object', 'const payload = response.body as string;'],
  ])('allows %s', (_name, code) => {
    expect(lint(code)).toEqual([]);
  });
});
