/**
 * @module modules/messaging/policy
 *
 * Who may talk to whom (`messaging.policy.rules`), decided on the server for every claim of
 * KeyPackages, every device list and every device a commit adds. Two different people may share
 * a conversation only if a rule names a role of each and its condition holds now; a person's own
 * devices always may. Locked and erased accounts talk to no one. Deny by default: a role no rule
 * names (support, admin, auditor by default) reaches nobody.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config/schema.ts';
import type { Database } from '../../platform/db/index.ts';
import { grantInForce } from '../records/index.ts';

type Db = Kysely<Database>;
type Rule = Config['messaging']['policy']['rules'][number];

async function rolesOf(db: Db, accountId: string): Promise<readonly string[] | undefined> {
  const row = await db.selectFrom('accounts').select(['roles', 'status', 'erased_at']).where('id', '=', accountId).executeTakeFirst();
  if (!row || row.status !== 'active' || (row.erased_at ?? null) !== null) return undefined;
  return JSON.parse(row.roles) as string[];
}

async function ruleHolds(db: Db, rule: Rule, first: string, second: string): Promise<boolean> {
  return rule.when === 'always' || (await grantInForce(db, first, second));
}

/** Whether the two accounts may be in one conversation. */
export async function mayTalk(db: Db, rules: readonly Rule[], a: string, b: string): Promise<boolean> {
  const rolesA = await rolesOf(db, a);
  if (!rolesA) return false;
  if (a === b) return true;
  const rolesB = await rolesOf(db, b);
  if (!rolesB) return false;
  for (const rule of rules) {
    const [first, second] = rule.between;
    if (rolesA.includes(first) && rolesB.includes(second) && (await ruleHolds(db, rule, a, b))) return true;
    if (rolesB.includes(first) && rolesA.includes(second) && (await ruleHolds(db, rule, b, a))) return true;
  }
  return false;
}

/** Whether every newcomer may talk to every account already present and to every other newcomer. */
export async function mayAllTalk(
  db: Db,
  rules: readonly Rule[],
  present: readonly string[],
  newcomers: readonly string[],
): Promise<boolean> {
  const everyone = [...new Set([...present, ...newcomers])];
  for (const newcomer of new Set(newcomers)) {
    for (const other of everyone) {
      if (!(await mayTalk(db, rules, newcomer, other))) return false;
    }
  }
  return true;
}
