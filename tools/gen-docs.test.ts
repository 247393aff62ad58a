/**
 * @module tools/gen-docs.test
 *
 * Keeps the generated reference pages honest: they match what `tools/gen-docs.ts` would write
 * now, every registry code is documented and every documented code exists (fastify
 * `test/internals/errors.test.js`), and no public message can carry request data
 * (ARCHITECTURE.md "Error model" 6).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, ERROR_CODES } from '@portcullis/protocol';
import { configLeaves } from '../packages/server/src/config/load.js';
import { AUDIT_ACTIONS } from '../packages/server/src/platform/audit/catalogue.js';
import {
  AUDIT_LOG_DOC_PATH,
  CONFIG_DOC_PATH,
  ERRORS_DOC_PATH,
  REPO_ROOT,
  findDrift,
  renderAuditCatalogue,
  renderConfigDoc,
  renderErrorsDoc,
  withAuditCatalogue,
} from './gen-docs.ts';

const FIX = 'run `npm run docs:gen` and commit the result';

function readDoc(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/** Codes documented as `### \`CODE\`` headings in errors.md. */
function documentedCodes(markdown: string): string[] {
  return [...markdown.matchAll(/^### `([A-Z0-9_]+)`$/gm)].map((match) => match[1] as string);
}

describe('generated docs are in sync with the source', () => {
  it(`${CONFIG_DOC_PATH} matches ConfigSchema (${FIX})`, () => {
    expect(readDoc(CONFIG_DOC_PATH)).toBe(renderConfigDoc());
  });

  it(`${ERRORS_DOC_PATH} matches the ERRORS registry (${FIX})`, () => {
    expect(readDoc(ERRORS_DOC_PATH)).toBe(renderErrorsDoc());
  });

  it('the --check mode reports no drift', () => {
    expect(findDrift()).toEqual([]);
  });

  it('rendering is deterministic', () => {
    expect(renderConfigDoc()).toBe(renderConfigDoc());
    expect(renderErrorsDoc()).toBe(renderErrorsDoc());
  });
});

describe('docs/security/audit-log.md ⇄ audit catalogue', () => {
  const page = readFileSync(path.join(REPO_ROOT, AUDIT_LOG_DOC_PATH), 'utf8');

  it('lists every audit action once', () => {
    for (const action of AUDIT_ACTIONS) expect(page.split(`| \`${action}\` |`)).toHaveLength(2);
  });

  it('keeps the hand-written prose around the generated section', () => {
    expect(withAuditCatalogue(page)).toBe(page);
    expect(page).toContain(renderAuditCatalogue());
    expect(page).toMatch(/^# The tamper-evident audit log/);
  });

  it('refuses a page without the section markers', () => {
    expect(() => withAuditCatalogue('# no markers\n')).toThrow(TypeError);
  });
});

describe('docs/errors.md ⇄ ERRORS registry', () => {
  const documented = documentedCodes(readDoc(ERRORS_DOC_PATH));

  it('documents every registry code', () => {
    const missing = ERROR_CODES.filter((errorCode) => !documented.includes(errorCode));
    expect(missing, `codes missing from ${ERRORS_DOC_PATH}`).toEqual([]);
  });

  it('documents only codes that exist in the registry', () => {
    const unknown = documented.filter((errorCode) => !Object.hasOwn(ERRORS, errorCode));
    expect(unknown, `codes in ${ERRORS_DOC_PATH} that are not in the registry`).toEqual([]);
  });

  it('documents each code exactly once', () => {
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('states the HTTP status and message of each code', () => {
    const markdown = readDoc(ERRORS_DOC_PATH);
    for (const [errorCode, definition] of Object.entries(ERRORS)) {
      const section = markdown.split(`### \`${errorCode}\``)[1]?.split('### ')[0] ?? '';
      expect(section, errorCode).toContain(`**HTTP status:** ${String(definition.status)}`);
      expect(section, errorCode).toContain(`**Message:** ${definition.message}`);
    }
  });
});

describe('registry messages never embed data (ARCHITECTURE.md "Error model" 6)', () => {
  // `${…}` template placeholders, `{name}` / `:name` / `%s` format slots, or `<name>` markers all
  // mean a message is meant to be filled with request data, which could leak tokens or PII.
  const placeholder = /\$\{|\{[^}]*\}|%[sdifjoO]|(^|\s):[a-z]\w*|<[a-z][\w-]*>/i;
  // Values that look like data rather than prose: quoted strings, emails, URLs, UUIDs, long numbers or hex.
  const embeddedData = /["`]|\S+@\S+\.\S+|[a-z][a-z0-9+.-]*:\/\/|\b[0-9a-f]{8}-[0-9a-f]{4}-|\b\d{3,}\b|\b[0-9a-f]{16,}\b/i;

  for (const [errorCode, definition] of Object.entries(ERRORS)) {
    it(`${errorCode}: message is a fixed, short, data-free string`, () => {
      expect(definition.message).not.toMatch(placeholder);
      expect(definition.message).not.toMatch(embeddedData);
      expect(definition.message.trim()).toBe(definition.message);
      expect(definition.message.length).toBeGreaterThan(0);
      expect(definition.message.length).toBeLessThanOrEqual(80);
      expect(definition.message).not.toMatch(/[:\n]\s*$/); // a trailing colon invites appending data
    });

    it(`${errorCode}: description has no template placeholder`, () => {
      expect(definition.description).not.toContain('${');
      expect(definition.description.trim().length).toBeGreaterThan(0);
    });
  }

  it('codes are UPPER_SNAKE and statuses are 4xx/5xx', () => {
    for (const [errorCode, definition] of Object.entries(ERRORS)) {
      expect(errorCode).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      expect(definition.status).toBeGreaterThanOrEqual(400);
      expect(definition.status).toBeLessThanOrEqual(599);
    }
  });
});

describe('docs/config.md ⇄ ConfigSchema', () => {
  const markdown = readDoc(CONFIG_DOC_PATH);

  it('documents every leaf with its dotted path and environment variable', () => {
    for (const leaf of configLeaves()) {
      expect(markdown, leaf.path.join('.')).toContain(`### \`${leaf.path.join('.')}\``);
      expect(markdown, leaf.envName).toContain(`\`${leaf.envName}\``);
    }
  });

  it('documents the aliases, the config file variable and the precedence', () => {
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'NODE_ENV', 'PORTCULLIS_CONFIG_FILE']) expect(markdown).toContain(`\`${name}\``);
    expect(markdown).toMatch(/Defaults[\s\S]*JSON file[\s\S]*Environment variables/);
  });

  it('refuses to render a field without a description', () => {
    const schema = { type: 'object', properties: { port: { type: 'integer', default: 1 } }, required: ['port'] };
    expect(() => renderConfigDoc(schema)).toThrow(TypeError);
  });
});
