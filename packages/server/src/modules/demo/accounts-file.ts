/**
 * @module modules/demo/accounts-file
 *
 * `<dataDir>/demo-accounts.json`: the demo accounts and their passwords, so a later start (or
 * `portcullis demo seed`) can print them again. Written with mode 0600 in the data directory
 * (mode 0700, never committed); the passwords are those of throwaway development accounts.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_ROLES, type DemoRole } from './clinic.ts';

export const DEMO_ACCOUNTS_FILE = 'demo-accounts.json';

export interface DemoAccount {
  readonly role: DemoRole;
  readonly displayName: string;
  readonly email: string;
  readonly password: string;
  readonly accountId: string;
}

export interface DemoAccounts {
  /** When the seed ran (ISO 8601). */
  readonly seededAt: string;
  readonly accounts: readonly DemoAccount[];
}

export function demoAccountsFile(dataDir: string): string {
  return path.join(dataDir, DEMO_ACCOUNTS_FILE);
}

export function writeDemoAccounts(dataDir: string, demo: DemoAccounts): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = demoAccountsFile(dataDir);
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on overwrite
}

function isDemoAccount(value: unknown): value is DemoAccount {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    DEMO_ROLES.includes(v['role'] as DemoRole) &&
    ['displayName', 'email', 'password', 'accountId'].every((key) => typeof v[key] === 'string')
  );
}

/** The stored accounts; `undefined` when there is no file or it is not one this module wrote. */
export function readDemoAccounts(dataDir: string): DemoAccounts | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(demoAccountsFile(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { seededAt, accounts } = parsed as Record<string, unknown>;
  if (typeof seededAt !== 'string' || !Array.isArray(accounts) || !accounts.every(isDemoAccount)) return undefined;
  return { seededAt, accounts };
}
