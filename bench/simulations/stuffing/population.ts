/**
 * @module bench/simulations/stuffing/population
 *
 * Sets up the simulation's accounts once, in a data directory that every run then copies (a
 * fresh database and key ring per run, with no limiter state). Setup is honest but quick:
 * - accounts are rows written straight into the database, each password stored as a real
 *   Argon2id hash made by the server's own hasher with the default production parameters, so a
 *   sign-in costs what it costs in production (only the sign-up round trips are skipped);
 * - every person gets a phone: a DPoP key of their own that has held a session (minted by the
 *   sessions module's `issueSession`, the one door), which is what makes it a known device;
 * - people with an authenticator app enrol it through the API (`POST /v1/mfa/totp`, then confirm
 *   with a code computed from the secret it returned);
 * - passkey-only people have no password: an enrolment session like passkey-first sign-up gives,
 *   and a passkey registered through the API by the software authenticator the server's passkey
 *   tests use.
 * Setup runs in this process on an in-process app, which is closed before any run starts.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { LightMyRequestResponse } from 'fastify';
import type { PasskeyCreationOptions, TokenResponse, TotpEnrolment } from '@portcullis/protocol';
import { buildApp, type App } from '@portcullis/server';
import {
  createPasswordHasher,
  insertAccountRow,
  issueSession,
  SoftwareAuthenticator,
  testRequestContext,
} from '@portcullis/server/test-support/simulation';
import { BENCH_DEVICE, BENCH_PUBLIC_URL, benchConfig } from '../../benchmarks/support/portcullis.ts';
import { generateDPoPKey, proofFactory, type DPoPKey } from '../../lib/dpop.ts';
import { personAddress, type Scenario } from './scenario.ts';

export type Kind = 'password' | 'totp' | 'passkey';

export interface Person {
  readonly index: number;
  readonly email: string;
  readonly kind: Kind;
  /** Null for passkey-only people. */
  readonly password: string | null;
  /** Base32 seed of their authenticator app (TOTP people only). */
  readonly totpSecret: string | null;
  /** RFC 6238 time step of the code that confirmed the app; the server accepts only later ones. */
  readonly totpEnrolledStep: number;
  readonly authenticator: SoftwareAuthenticator | null;
  /** The DPoP key of their phone, known to the server. */
  readonly key: DPoPKey;
  /** Their usual network. */
  readonly address: string;
}

export interface Population {
  readonly people: readonly Person[];
  /** Set-up data directory (database, key ring); copy it, never run on it. */
  readonly dataDir: string;
  readonly setupSeconds: number;
}

/** Setup work in flight at once: enough to keep the 4 hash slots and the event loop busy. */
const SETUP_IN_FLIGHT = 8;
const TOTP_PERIOD_MS = 30_000;

export const totpStepAt = (nowMs: number): number => Math.floor(nowMs / TOTP_PERIOD_MS);

/** The code an authenticator app holding `secret` shows for time step `step`. */
export function totpCode(secret: string, step: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: step * TOTP_PERIOD_MS,
  });
}

/** RFC 7638 thumbprint of an EC public key: what the server binds sessions and devices to. */
function thumbprint(key: DPoPKey): string {
  const { crv, kty, x, y } = key.publicJwk;
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

/** Runs `work` over `items`, `inFlight` at a time. */
async function forEachLimited<T>(items: readonly T[], inFlight: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** A phone talking to the in-process setup app: DPoP proofs of its key, with the server nonce. */
class SetupDevice {
  static #nonce: string | undefined;
  tokens: TokenResponse | undefined;

  constructor(
    readonly app: App,
    readonly key: DPoPKey,
    readonly remoteAddress: string,
  ) {}

  async call(url: string, payload: object, expected: number): Promise<LightMyRequestResponse> {
    const accessToken = this.tokens?.accessToken;
    if (accessToken === undefined) throw new TypeError('setup device has no session');
    for (let round = 0; ; round += 1) {
      const nonce = SetupDevice.#nonce;
      const proof = proofFactory(this.key, { htm: 'POST', htu: BENCH_PUBLIC_URL + url, accessToken, ...(nonce ? { nonce } : {}) })();
      const response = await this.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.remoteAddress,
        headers: { dpop: proof, authorization: `DPoP ${accessToken}` },
        payload: { ...payload },
      });
      const fresh = response.headers['dpop-nonce'];
      if (typeof fresh === 'string') SetupDevice.#nonce = fresh;
      if (response.statusCode === 401 && round === 0 && response.json<{ code?: string }>().code === 'AUTH_DPOP_NONCE_REQUIRED') continue;
      if (response.statusCode !== expected) {
        throw new Error(`setup: POST ${url} answered ${response.statusCode}, expected ${expected}: ${response.body.slice(0, 300)}`);
      }
      return response;
    }
  }
}

interface Draft {
  readonly index: number;
  readonly kind: Kind;
  readonly email: string;
  readonly password: string | null;
  readonly key: DPoPKey;
  accountId: string;
  passwordHash: string | null;
}

function drafts(scenario: Scenario): Draft[] {
  const { passwordOnly, totp, passkeyOnly } = scenario.population;
  const kinds: Kind[] = [
    ...Array<Kind>(passwordOnly).fill('password'),
    ...Array<Kind>(totp).fill('totp'),
    ...Array<Kind>(passkeyOnly).fill('passkey'),
  ];
  return kinds.map((kind, index) => ({
    index,
    kind,
    email: `person-${index}@clinic.example`,
    // 32 random base64url characters: long enough for the single-factor policy, on no blocklist.
    password: kind === 'passkey' ? null : randomBytes(24).toString('base64url'),
    key: generateDPoPKey(),
    accountId: randomUUID(),
    passwordHash: null,
  }));
}

/** Each address sealed for its person and blind-indexed, as sign-up stores it; one transaction per 500. */
async function insertAccounts(app: App, people: readonly Draft[]): Promise<void> {
  const now = Date.now();
  const { db } = app.portcullis.database;
  for (let first = 0; first < people.length; first += 500) {
    await db.transaction().execute(async (tx) => {
      for (const person of people.slice(first, first + 500)) {
        await insertAccountRow(
          app,
          {
            id: person.accountId,
            email: person.email,
            email_verified_at: now,
            password_hash: person.passwordHash,
            password_changed_at: person.passwordHash === null ? null : now,
            roles: JSON.stringify(['patient']),
            status: 'active' as const,
            created_at: now,
            updated_at: now,
          },
          tx,
        );
      }
    });
  }
}

async function enrolTotp(device: SetupDevice): Promise<{ secret: string; step: number }> {
  const started = (await device.call('/v1/mfa/totp', {}, 201)).json<TotpEnrolment>();
  const step = totpStepAt(Date.now());
  await device.call(`/v1/mfa/totp/${started.factorId}/confirm`, { code: totpCode(started.secret, step) }, 200);
  return { secret: started.secret, step };
}

async function registerPasskey(device: SetupDevice): Promise<SoftwareAuthenticator> {
  const authenticator = new SoftwareAuthenticator();
  const options = (await device.call('/v1/passkeys/registration/options', {}, 200)).json<PasskeyCreationOptions>();
  const credential = authenticator.register(options, { origin: BENCH_PUBLIC_URL });
  await device.call('/v1/passkeys/registration', { name: 'Phone', credential }, 201);
  return authenticator;
}

/** Gives the person's phone its first session, then enrols their second factor or passkey. */
async function equip(app: App, draft: Draft): Promise<Person> {
  // From the person's usual network, as their first sign-in on this phone was: the server then
  // knows the phone there (attack mode lets a known device through only from a network it used).
  const usualNetwork = `${personAddress(draft.index).split('.').slice(0, 3).join('.')}.0/24`;
  const context = testRequestContext(app.portcullis.sessions, `setup-${draft.index}`, usualNetwork);
  const device = new SetupDevice(app, draft.key, personAddress(draft.index));
  const passkeyFirst = draft.kind === 'passkey';
  device.tokens = await issueSession(
    app.portcullis.sessions,
    {
      accountId: draft.accountId,
      aal: 'aal1',
      // As the sign-in that first gave this phone a session would have it: a password, or (passkey
      // first) the emailed code, with a session that can only register a passkey.
      amr: passkeyFirst ? ['otp'] : ['pwd'],
      jkt: thumbprint(draft.key),
      device: BENCH_DEVICE,
      ...(passkeyFirst ? { restrictedTo: ['passkey'] as const } : {}),
    },
    context,
  );
  const totp = draft.kind === 'totp' ? await enrolTotp(device) : null;
  const authenticator = passkeyFirst ? await registerPasskey(device) : null;
  return {
    index: draft.index,
    email: draft.email,
    kind: draft.kind,
    password: draft.password,
    totpSecret: totp?.secret ?? null,
    totpEnrolledStep: totp?.step ?? 0,
    authenticator,
    key: draft.key,
    address: personAddress(draft.index),
  };
}

export async function setUpPopulation(scenario: Scenario, log: (line: string) => void): Promise<Population> {
  const started = Date.now();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portcullis-stuffing-population-'));
  const config = benchConfig(dataDir, { sqlite: true });
  const app = await buildApp({ ...config, log: { ...config.log, level: 'warn' } });
  try {
    const people = drafts(scenario);
    const hasher = await createPasswordHasher({ config: config.passwords });
    const withPassword = people.filter((person) => person.password !== null);
    let hashed = 0;
    let lastLog = Date.now();
    await forEachLimited(withPassword, SETUP_IN_FLIGHT, async (person) => {
      person.passwordHash = await hasher.hashPassword(person.password ?? '');
      hashed += 1;
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`  setup: ${hashed} of ${withPassword.length} passwords hashed (Argon2id, production parameters)`);
      }
    });
    await insertAccounts(app, people);
    log(`  setup: ${people.length} accounts stored; giving every person a known phone, authenticator apps and passkeys…`);
    const equipped: Person[] = [];
    await forEachLimited(people, SETUP_IN_FLIGHT, async (draft) => {
      equipped.push(await equip(app, draft));
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`  setup: ${equipped.length} of ${people.length} people equipped`);
      }
    });
    equipped.sort((a, b) => a.index - b.index);
    return { people: equipped, dataDir, setupSeconds: (Date.now() - started) / 1000 };
  } finally {
    await app.close();
  }
}
