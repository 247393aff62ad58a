/**
 * The audit catalogue is the single source of audit actions: every action a route declares is
 * written by some code, every action code writes is in the catalogue, and every catalogue entry
 * is written somewhere. "Written" means passed as a literal to the audit door — the first
 * argument of `audit(…)` / `request.audit(…)`, or the `action` of a `writeAuditEvent` event —
 * in the server's non-test sources. ASVS V16.1.1 (an inventory of what is logged).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import type { OpenApiDocument } from '../http/openapi.ts';
import { declaredAuditActions } from '../routes/contract.ts';
import { AUDIT_ACTIONS, AUDIT_CATALOGUE, AUDIT_CATEGORIES, isAuditAction } from './catalogue.ts';

const SERVER_SOURCES = fileURLToPath(new URL('../../', import.meta.url));
const CATALOGUE_FILE = fileURLToPath(new URL('./catalogue.ts', import.meta.url));
const TEST_FILE = /(\.test\.ts|\.test-d\.ts)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-support' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name) ? [full] : [];
  });
}

/** The text of the first argument of the call whose `(` is at `open`, up to its `,` or `)` at depth 0. */
function firstArgument(text: string, open: number): string {
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) return text.slice(open + 1, i);
      depth--;
    } else if (ch === ',' && depth === 0) return text.slice(open + 1, i);
  }
  return '';
}

const DOTTED_LITERAL = /'([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)'/g;

/** Action names passed to the audit door in one source file, with where each was found. */
export function writtenActions(text: string): string[] {
  const found: string[] = [];
  for (const call of text.matchAll(/\baudit\s*\(/g)) {
    const argument = firstArgument(text, call.index + call[0].length - 1);
    for (const literal of argument.matchAll(DOTTED_LITERAL)) found.push(literal[1] as string);
  }
  // `writeAuditEvent(db, clock, { action: … })`, or an `action` chosen before the call: possibly a
  // conditional of literals.
  for (const property of text.matchAll(/\baction\s*[:=]\s*([^,;\n}]+)/g)) {
    for (const literal of (property[1] as string).matchAll(DOTTED_LITERAL)) found.push(literal[1] as string);
  }
  return found;
}

const written = new Map<string, string[]>();
for (const file of sourceFiles(SERVER_SOURCES)) {
  if (file === CATALOGUE_FILE) continue;
  for (const action of writtenActions(readFileSync(file, 'utf8'))) {
    written.set(action, [...(written.get(action) ?? []), path.relative(SERVER_SOURCES, file)]);
  }
}

describe('the audit catalogue', () => {
  it('names every action domain.verb_past, in a known category, with a description', () => {
    for (const action of AUDIT_ACTIONS) {
      expect(action).toMatch(/^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$/);
      expect(AUDIT_CATEGORIES).toContain(AUDIT_CATALOGUE[action].category);
      expect(AUDIT_CATALOGUE[action].description).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('holds every action that code writes', () => {
    expect([...written.keys()].filter((action) => !isAuditAction(action))).toEqual([]);
  });

  it('has no entry that no code writes', () => {
    expect(AUDIT_ACTIONS.filter((action) => !written.has(action))).toEqual([]);
  });

  it('finds the writes (the scan is not vacuous)', () => {
    expect(written.get('session.created')).toContain(path.join('modules', 'sessions', 'service.ts'));
    expect(writtenActions("await request.audit(\n  ok ? 'a.done' : 'a.failed', { detail })")).toEqual(['a.done', 'a.failed']);
    expect(writtenActions("{ action: 'a.done', outcome: 'success' }")).toEqual(['a.done']);
    expect(writtenActions("const action = up ? 'a.up' : 'a.down';")).toEqual(['a.up', 'a.down']);
    expect(writtenActions("config: { audit: 'a.declared' }")).toEqual([]);
  });
});

describe('route declarations', () => {
  let app: App;
  let declared: { route: string; actions: readonly string[] | undefined }[];
  beforeAll(async () => {
    // Introspection registers only with a configured client; every other module is always on.
    app = await buildTestApp({ config: { introspection: { clients: [{ id: 'billing', secretHash: '0'.repeat(64) }] } } });
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
    declared = Object.entries(document.paths).flatMap(([url, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${url}`,
        actions: declaredAuditActions(operation['x-portcullis-audit']),
      })),
    );
  });
  afterAll(() => app.close());

  it('walks the routes (the walk is not vacuous)', () => {
    expect(declared.find((d) => d.route === 'POST /v1/sessions/mfa/send')?.actions).toEqual(['mfa.email_code_sent', 'mfa.sms_code_sent']);
  });

  it('declares only actions that some code writes', () => {
    const unwritten = declared.flatMap(({ route, actions }) =>
      (actions ?? ['(malformed)']).filter((action) => !written.has(action)).map((action) => `${route}: ${action}`),
    );
    expect(unwritten).toEqual([]);
  });
});
