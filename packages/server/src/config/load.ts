/**
 * @module config/load
 *
 * Turns the environment, an optional JSON file and test overrides into one validated, frozen
 * `Config`. Every problem is collected and reported at once (a deployment should not need one
 * restart per typo), then the production guards run. Nothing else in the server reads
 * `process.env`: `main.ts` passes the environment in.
 */
import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import { ConfigSchema, type Config, type ConfigOverrides } from './schema.ts';
import { checkConfigGuards } from './guards.ts';

export const ENV_PREFIX = 'PORTCULLIS_';
export const CONFIG_FILE_ENV = 'PORTCULLIS_CONFIG_FILE';

/** Conventional variables that deployment platforms set, mapped onto their config paths. */
export const ENV_ALIASES: Readonly<Record<string, readonly string[]>> = {
  DATABASE_URL: ['database', 'url'],
  REDIS_URL: ['redis', 'url'],
  SMTP_URL: ['mail', 'smtpUrl'],
  NODE_ENV: ['environment'],
};

/** Thrown when configuration is invalid; `problems` lists every one, each as `path: reason`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface LoadConfigOptions {
  /** Environment variables; `main.ts` passes `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Highest-precedence values, for tests and the CLI. */
  readonly overrides?: ConfigOverrides;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Development defaults in use; the CLI prints each one loudly at start. */
  readonly warnings: readonly string[];
}

interface Leaf {
  readonly path: readonly string[];
  readonly envName: string;
  readonly schema: TSchema & Record<string, unknown>;
}

/** `allowedOrigins` → `ALLOWED_ORIGINS`. */
function toScreamingSnake(segment: string): string {
  return segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export function envNameFor(path: readonly string[]): string {
  return ENV_PREFIX + path.map(toScreamingSnake).join('_');
}

/** Every settable leaf of the schema with its derived environment variable name. */
export function configLeaves(schema: TSchema = ConfigSchema, path: readonly string[] = []): Leaf[] {
  const node = schema as TSchema & Record<string, unknown>;
  const properties = node['properties'] as Record<string, TSchema> | undefined;
  if (node['type'] === 'object' && properties) {
    return Object.entries(properties).flatMap(([key, child]) => configLeaves(child, [...path, key]));
  }
  return [{ path, envName: envNameFor(path), schema: node }];
}

function leafType(schema: Record<string, unknown>): string {
  if (typeof schema['type'] === 'string') return schema['type'];
  const variants = schema['anyOf'] as Record<string, unknown>[] | undefined;
  if (variants?.every((v) => 'const' in v)) return 'enum';
  return 'string';
}

function parseEnvValue(leaf: Leaf, raw: string, problems: string[]): unknown {
  switch (leafType(leaf.schema)) {
    case 'integer':
    case 'number': {
      const value = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(value)) problems.push(`${leaf.envName}: expected a number, got "${raw}"`);
      return value;
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      problems.push(`${leaf.envName}: expected "true" or "false", got "${raw}"`);
      return undefined;
    case 'array':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep merge where later sources win and arrays are replaced, not concatenated. The result shares
 * nothing with the sources (arrays are copied too): defaults are filled in and the whole is frozen
 * afterwards, which must never reach back into a caller's objects.
 */
export function mergeConfigSources(...sources: unknown[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const source of sources) {
    if (!isPlainObject(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      result[key] =
        isPlainObject(value) && isPlainObject(result[key])
          ? mergeConfigSources(result[key], value)
          : isPlainObject(value)
            ? mergeConfigSources(value)
            : Array.isArray(value)
              ? structuredClone(value)
              : value;
    }
  }
  return result;
}

function readConfigFile(file: string, problems: string[]): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'not valid JSON' : 'cannot be read';
    problems.push(`${CONFIG_FILE_ENV}: the file "${file}" ${reason}`);
    return {};
  }
}

function readEnvironment(env: Readonly<Record<string, string | undefined>>, problems: string[]): Record<string, unknown> {
  const fromEnv: Record<string, unknown> = {};
  const leaves = configLeaves();
  const known = new Set(leaves.map((leaf) => leaf.envName));
  for (const [alias, path] of Object.entries(ENV_ALIASES)) {
    const raw = env[alias];
    if (raw === undefined || raw === '') continue;
    // NODE_ENV has values of its own (e.g. "staging") that are not ours to reject.
    if (alias === 'NODE_ENV' && !['development', 'test', 'production'].includes(raw)) continue;
    setPath(fromEnv, path, raw);
  }
  for (const leaf of leaves) {
    const raw = env[leaf.envName];
    if (raw !== undefined) setPath(fromEnv, leaf.path, parseEnvValue(leaf, raw, problems));
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENV_PREFIX) && name !== CONFIG_FILE_ENV && !known.has(name)) {
      problems.push(`${name}: unknown setting (see docs/config.md for the list)`);
    }
  }
  return fromEnv;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function pointerToPath(pointer: string): string {
  return pointer.replace(/^\//, '').replaceAll('/', '.') || '(root)';
}

/**
 * Loads and validates configuration: schema defaults ← config file ← environment ← overrides.
 *
 * @throws {ConfigError} listing every problem found, including production-guard violations.
 * @example
 * const { config, warnings } = loadConfig({ env: process.env });
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? {};
  const problems: string[] = [];
  const file = env[CONFIG_FILE_ENV];
  const fromFile = file ? readConfigFile(file, problems) : {};
  const fromEnv = readEnvironment(env, problems);
  const candidate = Value.Default(ConfigSchema, mergeConfigSources(fromFile, fromEnv, options.overrides));
  for (const error of Value.Errors(ConfigSchema, candidate)) {
    const params = error.params as { additionalProperties?: string[] } | undefined;
    const extra = params?.additionalProperties?.length ? ` (${params.additionalProperties.join(', ')})` : '';
    problems.push(`${pointerToPath(error.instancePath)}: ${error.message}${extra}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = candidate as Config;
  const guards = checkConfigGuards(config);
  if (guards.errors.length > 0) throw new ConfigError(guards.errors);
  return { config: deepFreeze(config), warnings: guards.warnings };
}
