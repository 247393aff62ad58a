/**
 * Configuration: one schema, environment and file sources, every problem reported at once,
 * frozen result, and production guards that refuse insecure defaults. ASVS V13.4.2 (no
 * development settings in production), V12.1.1 (TLS required), V3.4.2 (no wildcard CORS).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configLeaves, envNameFor, loadConfig } from './load.ts';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const PRODUCTION_OK = {
  NODE_ENV: 'production',
  PORTCULLIS_PUBLIC_URL: 'https://auth.example.com',
  PORTCULLIS_HTTP_TLS_MODE: 'upstream',
  DATABASE_URL: 'postgres://portcullis@db.internal/portcullis',
  SMTP_URL: 'smtps://mailer@smtp.example.com:465',
  PORTCULLIS_KEYS_RING_FILE: '/run/secrets/portcullis-keyring.json',
  PORTCULLIS_KEY_SERVICE_LOCAL_KEY_FILE: '/run/secrets/portcullis-kek.json',
  PORTCULLIS_SMS_URL: 'https://sms-relay.internal/v1/messages',
  PORTCULLIS_SMS_TOKEN_FILE: '/run/secrets/sms-token',
};

describe('configuration loading', () => {
  it('starts from documented defaults: HTTPS on the embedded database', () => {
    const { config } = loadConfig();
    expect(config.publicUrl).toBe('https://localhost:8443');
    expect(config.http.tls.mode).toBe('self-signed');
    expect(config.database.url).toBe('sqlite:portcullis.db');
    expect(config.http.hsts.maxAgeSeconds).toBeGreaterThanOrEqual(31536000);
  });

  it("leaves the caller's overrides untouched: defaults and freezing apply to a copy", () => {
    const ladder = [{ max: 3, windowSeconds: 60 }];
    const overrides = { defense: { passwordFailures: { perAccountAndNetwork: ladder } } };
    const { config } = loadConfig({ overrides });
    expect(config.defense.passwordFailures.perAccountAndNetwork).toEqual(ladder);
    expect(Object.isFrozen(config.defense.passwordFailures.perAccountAndNetwork[0])).toBe(true);
    expect(Object.isFrozen(ladder[0])).toBe(false);
    // The same overrides load twice, as tests building several apps do.
    expect(loadConfig({ overrides }).config.defense.passwordFailures.perAccountAndNetwork).toEqual(ladder);
  });

  it('derives every environment variable name mechanically from the schema path', () => {
    expect(envNameFor(['http', 'cors', 'allowedOrigins'])).toBe('PORTCULLIS_HTTP_CORS_ALLOWED_ORIGINS');
    const names = configLeaves().map((leaf) => leaf.envName);
    expect(new Set(names).size).toBe(names.length);
  });

  it('reads and coerces values from the environment, with conventional aliases', () => {
    const { config } = loadConfig({
      env: {
        PORTCULLIS_HTTP_PORT: '9443',
        PORTCULLIS_HTTP_HSTS_PRELOAD: 'true',
        PORTCULLIS_HTTP_CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        DATABASE_URL: 'postgres://u@h/db',
        NODE_ENV: 'test',
      },
    });
    expect(config.http.port).toBe(9443);
    expect(config.http.hsts.preload).toBe(true);
    expect(config.http.cors.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.database.url).toBe('postgres://u@h/db');
    expect(config.environment).toBe('test');
  });

  it('lets a JSON file set values and the environment override them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-config-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ http: { port: 7000, bodyLimitBytes: 4096 } }));
    const { config } = loadConfig({ env: { PORTCULLIS_CONFIG_FILE: file, PORTCULLIS_HTTP_PORT: '7001' } });
    expect(config.http.port).toBe(7001);
    expect(config.http.bodyLimitBytes).toBe(4096);
  });

  it('reports every problem at once instead of stopping at the first', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: { PORTCULLIS_HTTP_PORT: 'eighty', PORTCULLIS_LOG_LEVEL: 'loud', PORTCULLIS_HTTP_PROT: '1', PORTCULLIS_METRICS_ENABLED: 'yes' },
      }),
    );
    expect(problems.join('\n')).toMatch(/PORTCULLIS_HTTP_PORT: expected a number/);
    expect(problems.join('\n')).toMatch(/PORTCULLIS_HTTP_PROT: unknown setting/);
    expect(problems.join('\n')).toMatch(/PORTCULLIS_METRICS_ENABLED: expected "true" or "false"/);
    expect(problems.join('\n')).toMatch(/log\.level/);
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it('rejects unknown keys in a config file (typos must not silently fall back to defaults)', () => {
    const problems = problemsOf(() => loadConfig({ overrides: { http: { hstss: {} } as never } }));
    expect(problems.join('\n')).toMatch(/^http: .*hstss/m);
  });

  it('reports an unreadable config file', () => {
    expect(problemsOf(() => loadConfig({ env: { PORTCULLIS_CONFIG_FILE: '/nonexistent/portcullis.json' } }))).toEqual([
      'PORTCULLIS_CONFIG_FILE: the file "/nonexistent/portcullis.json" cannot be read',
    ]);
  });

  it('returns a deeply frozen object', () => {
    const { config } = loadConfig();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http.cors.allowedOrigins)).toBe(true);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('production guards', () => {
  it('accepts a sound production configuration', () => {
    expect(loadConfig({ env: PRODUCTION_OK }).config.environment).toBe('production');
  });

  it('refuses the development certificate, http:// public URL and wildcard CORS in production, all at once', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          ...PRODUCTION_OK,
          PORTCULLIS_PUBLIC_URL: 'http://auth.example.com',
          PORTCULLIS_HTTP_TLS_MODE: 'self-signed',
          PORTCULLIS_HTTP_CORS_ALLOWED_ORIGINS: '*',
        },
      }),
    );
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/publicUrl: must use https/);
    expect(problems.join('\n')).toMatch(/self-signed/);
    expect(problems.join('\n')).toMatch(/"\*" lets every website/);
  });

  it('only warns about the same development defaults outside production', () => {
    const { warnings } = loadConfig({ env: { PORTCULLIS_HTTP_CORS_ALLOWED_ORIGINS: '*' } });
    expect(warnings.join('\n')).toMatch(/self-signed/);
    expect(warnings.join('\n')).toMatch(/"\*"/);
  });

  it('refuses several instances with in-memory shared state or the embedded database, in any environment', () => {
    const problems = problemsOf(() => loadConfig({ env: { PORTCULLIS_INSTANCES: '3' } }));
    expect(problems.join('\n')).toMatch(/redis\.url: required when instances > 1/);
    expect(problems.join('\n')).toMatch(/SQLite database serves one instance only/);
    expect(() => loadConfig({ env: { ...PRODUCTION_OK, PORTCULLIS_INSTANCES: '3', REDIS_URL: 'redis://cache:6379' } })).not.toThrow();
  });

  it('refuses production without an operator-supplied key ring or SMTP server', () => {
    const { PORTCULLIS_KEYS_RING_FILE: _ring, SMTP_URL: _smtp, ...rest } = PRODUCTION_OK;
    const problems = problemsOf(() => loadConfig({ env: rest }));
    expect(problems.join('\n')).toMatch(/keys\.ringFile: unset/);
    expect(problems.join('\n')).toMatch(/mail\.smtpUrl: required in production/);
  });

  it('refuses TLS files mode without both files, and malformed origins', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          PORTCULLIS_HTTP_TLS_MODE: 'files',
          PORTCULLIS_HTTP_TLS_CERT_FILE: '/x.pem',
          PORTCULLIS_HTTP_CORS_ALLOWED_ORIGINS: 'https://a.example/path',
        },
      }),
    );
    expect(problems.join('\n')).toMatch(/needs both certFile and keyFile/);
    expect(problems.join('\n')).toMatch(/is not an origin/);
  });

  it('rejects a schema name that could inject SQL', () => {
    expect(problemsOf(() => loadConfig({ env: { PORTCULLIS_DATABASE_SCHEMA: 'public; drop table x' } })).join('\n')).toMatch(
      /database\.schema/,
    );
  });
});
