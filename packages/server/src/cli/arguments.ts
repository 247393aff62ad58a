/**
 * @module cli/arguments
 *
 * The `portcullis` command line's grammar: which commands exist, which options each takes, and
 * what to tell an operator who typed something else. Every mistake gets its own one-line answer
 * (`admin create: --email ADDRESS is required`) instead of a generic "unknown command", so the
 * fix is in the message. Values are checked here only for presence; what a value must look like
 * (an email address, a number in range) is the command's business.
 */

interface OptionSpec {
  /** How the value is named in messages and help (`ADDRESS`). */
  readonly value: string;
  readonly required?: true;
}

/** Every command, by its words, with its options (`--name VALUE`, or `--name=VALUE`). */
export const COMMANDS = {
  start: {},
  migrate: {},
  'config check': {},
  outbox: { limit: { value: 'N' } },
  'keys generate': { complete: { value: 'FILE' } },
  'keys init': { file: { value: 'FILE', required: true } },
  'keys status': {},
  'keys rotate': { 'batch-size': { value: 'N' }, retire: { value: 'unused|none' }, 'grace-seconds': { value: 'SECONDS' } },
  'keys retire': { version: { value: 'VERSION', required: true } },
  'admin create': { email: { value: 'ADDRESS', required: true } },
  'audit verify': { key: { value: 'VERIFIER_KEY' } },
  'audit export': { out: { value: 'FILE' } },
  'demo seed': {},
} as const satisfies Record<string, Readonly<Record<string, OptionSpec>>>;

export type CommandName = keyof typeof COMMANDS;

type OptionsOf<C extends CommandName> = { readonly [O in keyof (typeof COMMANDS)[C]]?: string };

export type ParsedArguments =
  | { readonly kind: 'help' }
  | { [C in CommandName]: { readonly kind: 'command'; readonly command: C; readonly options: OptionsOf<C> } }[CommandName]
  /** A usage mistake, described in one line; `showUsage` when the command itself is unknown. */
  | { readonly kind: 'usage-error'; readonly message: string; readonly showUsage: boolean };

const HELP_WORDS: ReadonlySet<string> = new Set(['help', '--help', '-h']);
const NAMES = Object.keys(COMMANDS) as CommandName[];

function usageError(message: string, showUsage = false): ParsedArguments {
  return { kind: 'usage-error', message, showUsage };
}

function describeOptions(command: CommandName): string {
  const options = Object.entries(COMMANDS[command] as Readonly<Record<string, OptionSpec>>);
  return options.length === 0 ? 'it takes no options' : `options: ${options.map(([name, spec]) => `--${name} ${spec.value}`).join(', ')}`;
}

/** `admin` → the commands that start with it (`admin create`). */
function commandsUnder(group: string): CommandName[] {
  return NAMES.filter((name) => name.startsWith(`${group} `));
}

function findCommand(argv: readonly string[]): { command: CommandName; rest: readonly string[] } | ParsedArguments {
  const [first = '', second] = argv;
  const pair = `${first} ${second ?? ''}`;
  if ((NAMES as readonly string[]).includes(pair)) return { command: pair as CommandName, rest: argv.slice(2) };
  if ((NAMES as readonly string[]).includes(first)) return { command: first as CommandName, rest: argv.slice(1) };
  const group = commandsUnder(first);
  if (group.length === 0) return usageError(`unknown command "${argv.join(' ')}"`, true);
  const choices = group.join(', ');
  if (second === undefined || second.startsWith('-')) return usageError(`"${first}" needs a subcommand: ${choices}`);
  return usageError(`unknown command "${first} ${second}" (${first} commands: ${choices})`);
}

export function parseArguments(argv: readonly string[]): ParsedArguments {
  if (argv.length === 0 || argv.some((word) => HELP_WORDS.has(word))) return { kind: 'help' };
  const found = findCommand(argv);
  if ('kind' in found) return found;
  const { command, rest } = found;
  const specs = COMMANDS[command] as Readonly<Record<string, OptionSpec>>;
  const options: Record<string, string> = {};
  for (let index = 0; index < rest.length; index += 1) {
    const word = rest[index] ?? '';
    if (!word.startsWith('--')) return usageError(`${command}: unexpected argument "${word}" (${describeOptions(command)})`);
    const equals = word.indexOf('=');
    const name = word.slice(2, equals === -1 ? undefined : equals);
    const spec = specs[name];
    if (spec === undefined) return usageError(`${command}: unknown option --${name} (${describeOptions(command)})`);
    let value: string | undefined;
    if (equals !== -1) value = word.slice(equals + 1);
    else if (rest[index + 1] !== undefined && !rest[index + 1]?.startsWith('--')) value = rest[(index += 1)];
    if (value === undefined || value === '') return usageError(`${command}: --${name} needs a value (${spec.value})`);
    if (name in options) return usageError(`${command}: --${name} is given more than once`);
    options[name] = value;
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && !(name in options)) return usageError(`${command}: --${name} ${spec.value} is required`);
  }
  return { kind: 'command', command, options };
}
