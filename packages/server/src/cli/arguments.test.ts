/**
 * The command line's grammar: each kind of mistake gets a message that names the fix, never a
 * bare "unknown command" for a command that exists.
 */
import { describe, expect, it } from 'vitest';
import { parseArguments } from './arguments.ts';

const error = (message: string, showUsage = false) => ({ kind: 'usage-error', message, showUsage });

describe('parseArguments', () => {
  it.each([[[]], [['help']], [['--help']], [['-h']], [['admin', 'create', '--help']]])('%j asks for help', (argv) => {
    expect(parseArguments(argv)).toEqual({ kind: 'help' });
  });

  it('parses commands of one and two words with their options, as --name VALUE or --name=VALUE', () => {
    expect(parseArguments(['start'])).toEqual({ kind: 'command', command: 'start', options: {} });
    expect(parseArguments(['outbox', '--limit', '5'])).toEqual({ kind: 'command', command: 'outbox', options: { limit: '5' } });
    expect(parseArguments(['admin', 'create', '--email=root@example.test'])).toEqual({
      kind: 'command',
      command: 'admin create',
      options: { email: 'root@example.test' },
    });
    expect(parseArguments(['audit', 'export'])).toEqual({ kind: 'command', command: 'audit export', options: {} });
  });

  it('names a missing required option', () => {
    expect(parseArguments(['admin', 'create'])).toEqual(error('admin create: --email ADDRESS is required'));
  });

  it('names an option given without its value', () => {
    expect(parseArguments(['admin', 'create', '--email'])).toEqual(error('admin create: --email needs a value (ADDRESS)'));
    expect(parseArguments(['admin', 'create', '--email='])).toEqual(error('admin create: --email needs a value (ADDRESS)'));
    expect(parseArguments(['outbox', '--limit'])).toEqual(error('outbox: --limit needs a value (N)'));
    expect(parseArguments(['audit', 'verify', '--key', '--out'])).toEqual(error('audit verify: --key needs a value (VERIFIER_KEY)'));
  });

  it('names an unknown option and lists the ones the command takes', () => {
    expect(parseArguments(['admin', 'create', '--emial', 'a@b'])).toEqual(
      error('admin create: unknown option --emial (options: --email ADDRESS)'),
    );
    expect(parseArguments(['migrate', '--force'])).toEqual(error('migrate: unknown option --force (it takes no options)'));
  });

  it('refuses stray arguments and repeated options', () => {
    expect(parseArguments(['admin', 'create', 'root@example.test'])).toEqual(
      error('admin create: unexpected argument "root@example.test" (options: --email ADDRESS)'),
    );
    expect(parseArguments(['admin', 'create', '--email', 'a@b', '--email', 'c@d'])).toEqual(
      error('admin create: --email is given more than once'),
    );
  });

  it('names the subcommands of a command group', () => {
    expect(parseArguments(['admin'])).toEqual(error('"admin" needs a subcommand: admin create'));
    expect(parseArguments(['audit', '--out', 'x'])).toEqual(error('"audit" needs a subcommand: audit verify, audit export'));
    expect(parseArguments(['keys', 'rewrap'])).toEqual(
      error('unknown command "keys rewrap" (keys commands: keys generate, keys init, keys status, keys rotate, keys retire)'),
    );
    expect(parseArguments(['keys', 'rotate', '--batch-size', '50'])).toEqual({
      kind: 'command',
      command: 'keys rotate',
      options: { 'batch-size': '50' },
    });
    expect(parseArguments(['keys', 'retire'])).toEqual(error('keys retire: --version VERSION is required'));
  });

  it('shows the usage for a command that does not exist at all', () => {
    expect(parseArguments(['frobnicate', 'now'])).toEqual(error('unknown command "frobnicate now"', true));
  });
});
