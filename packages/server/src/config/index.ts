/**
 * @module config
 *
 * The configuration schema and loader, also exported as `@portcullis/server/config` for tools
 * (the docs generator) that need the schema without starting a server.
 */
export { ConfigSchema } from './schema.ts';
export type { Config, ConfigOverrides } from './schema.ts';
export { CONFIG_FILE_ENV, ENV_ALIASES, ENV_PREFIX, ConfigError, configLeaves, envNameFor, loadConfig, mergeConfigSources } from './load.ts';
export type { LoadConfigOptions, LoadedConfig } from './load.ts';
