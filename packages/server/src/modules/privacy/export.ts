/**
 * @module modules/privacy/export
 *
 * The right of access and portability (GDPR articles 15 and 20): one JSON document with
 * everything the server holds about the person — account, profile, patient file (as the person
 * sees it, decrypted), grants given and received, sessions and known devices (metadata),
 * second factors and passkeys (metadata), linked identities, and the audit entries naming them
 * as actor or subject. It follows the published `AccountExportSchema` and names it in `$schema`.
 *
 * Each part comes from the module that owns it, through the same functions its own routes use,
 * and each of those returns an allow-listed DTO: no password hash, seed, code, token hash, key
 * or ciphertext can reach the document. The route's response schema is the second allow-list.
 */
import { ACCOUNT_EXPORT_SCHEMA_ID, ACCOUNT_EXPORT_SCHEMA_VERSION, type AccountExport, type RecordDeclarations } from '@portcullis/protocol';
import type { Kysely } from 'kysely';
import { LIST_MAX_LIMIT, listEntries } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Database, SessionsTable } from '../../platform/db/schema.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { findAccountSignInState, getAccount, type AccountsDeps } from '../accounts/index.ts';
import { linkedIdentitiesOf } from '../federation/index.ts';
import { listFactors } from '../mfa/index.ts';
import { passkeysHeldAbout } from '../passkeys/index.ts';
import { recordsHeldAbout } from '../records/index.ts';
import { sessionsHeldAbout } from '../sessions/index.ts';

export interface ExportDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  readonly dataProtection: DataProtection;
  /** `records.types`. */
  readonly types: RecordDeclarations;
  /** For the account as `GET /v1/accounts/me` shows it (modules/accounts reads the address). */
  readonly accounts: AccountsDeps;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function exportedSession(row: SessionsTable): AccountExport['sessions'][number] {
  return {
    id: row.id,
    device: { label: row.device_label, platform: row.device_platform, appVersion: row.app_version },
    aal: row.aal,
    amr: JSON.parse(row.amr) as string[],
    location: row.ip_prefix,
    createdAt: iso(row.created_at),
    lastUsedAt: iso(row.last_used_at),
    expiresAt: iso(Math.min(row.idle_expires_at, row.absolute_expires_at)),
    revokedAt: row.revoked_at === null ? null : iso(row.revoked_at),
  };
}

/** Every audit entry naming the person as actor or subject, oldest first, each once. */
async function auditEntriesAbout(db: Kysely<Database>, accountId: string): Promise<AccountExport['auditEntries']> {
  const byIndex = new Map<number, AccountExport['auditEntries'][number]>();
  for (const filter of [{ actorId: accountId }, { subjectId: accountId }]) {
    let before: number | undefined;
    do {
      const page = await listEntries({ db }, filter, { limit: LIST_MAX_LIMIT, ...(before === undefined ? {} : { before }) });
      for (const { canonical: _canonical, ...entry } of page.entries) byIndex.set(entry.index, entry);
      before = page.nextBefore ?? undefined;
    } while (before !== undefined);
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/**
 * Everything held about the caller. The audit event is written first, so the document itself
 * lists the export it is.
 */
export async function exportOwnData(deps: ExportDeps, principal: Principal, context: RequestContext): Promise<AccountExport> {
  const accountId = principal.accountId;
  await context.audit('account.exported', { subject: accountId });
  const account = await getAccount(deps.accounts, accountId);
  const state = await findAccountSignInState(deps.db, accountId);
  const records = await recordsHeldAbout({ dataProtection: deps.dataProtection, types: deps.types }, deps.db, accountId);
  const sessions = await sessionsHeldAbout(deps.dataProtection, deps.db, accountId);
  return {
    $schema: ACCOUNT_EXPORT_SCHEMA_ID,
    schemaVersion: ACCOUNT_EXPORT_SCHEMA_VERSION,
    exportedAt: iso(deps.clock.now()),
    account: {
      id: account.id,
      email: account.email,
      emailVerified: account.emailVerified,
      roles: account.roles,
      createdAt: account.createdAt,
      hasPassword: state?.hasPassword ?? false,
    },
    profile: records.profile,
    recordEntries: [...records.entries],
    grantsGiven: [...records.grantsGiven],
    grantsReceived: [...records.grantsReceived],
    sessions: sessions.sessions.map(exportedSession),
    knownDevices: sessions.knownDevices.map((device) => ({
      keyThumbprint: device.jkt,
      firstSeenAt: iso(device.first_seen_at),
      lastSeenAt: iso(device.last_seen_at),
      networks: JSON.parse(device.networks) as string[],
    })),
    factors: await listFactors({ db: deps.db, dataProtection: deps.dataProtection }, accountId),
    passkeys: await passkeysHeldAbout(deps.db, accountId),
    linkedIdentities: await linkedIdentitiesOf(deps.dataProtection, deps.db, accountId),
    auditEntries: await auditEntriesAbout(deps.db, accountId),
  };
}
