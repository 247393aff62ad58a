/**
 * @module bench/simulations/stuffing/flows
 *
 * What each party does, over real HTTP:
 * - a person signs in the way their account is set up, from their own phone (a known DPoP key)
 *   and their own network: the password; the password and then a code from their authenticator
 *   app when asked; or their passkey. If the server asks for more than that (an emailed code, for
 *   a new device or while it is under attack) they read their mailbox and answer: that sign-in
 *   "needed an extra step";
 * - the attacker tries one leaked pair with the key of the source address it uses. Asked for a
 *   second factor, it asks for the emailed code when offered (it cannot read the mailbox) and
 *   guesses once; that is all it can do. Only tokens count as a compromise.
 * Any answer no such request should get (a 5xx, a malformed request) throws: then the simulation,
 * not the defence, is broken.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import path from 'node:path';
import { createDataProtection, type DataProtection } from '../../../packages/server/src/platform/data-protection/index.js';
import type { Database as Tables } from '../../../packages/server/src/platform/db/index.js';
import { openLocalKeyService } from '../../../packages/server/src/platform/kms/index.js';
import { openOutboxRow } from '../../../packages/server/src/platform/mailer/index.js';
import { randomInt } from 'node:crypto';
import type { AuthenticationCredential, PasskeyRequestOptions } from '@portcullis/protocol';
import { BENCH_DEVICE, BENCH_PUBLIC_URL, SIGN_IN_PATH } from '../../benchmarks/support/portcullis.ts';
import type { DPoPKey } from '../../lib/dpop.ts';
import { answerKey, type Answer, type LoopbackClient } from './http-client.ts';
import { totpCode, totpStepAt, type Person } from './population.ts';

const MFA_PATH = '/v1/sessions/mfa';
const MFA_SEND_PATH = '/v1/sessions/mfa/send';
const MAIL_TIMEOUT_MS = 15_000;
const MAIL_POLL_MS = 25;
const SIGN_IN_CODE_SUBJECT = /sign-in code/i;

interface Challenge {
  readonly token: string;
  readonly methods: readonly string[];
  readonly reason?: string;
}

function challengeOf(answer: Answer): Challenge | undefined {
  if (answer.code !== 'MFA_REQUIRED' || typeof answer.body !== 'object' || answer.body === null) return undefined;
  const { challenge } = answer.body as { challenge?: Challenge };
  return challenge;
}

/** First-step answers a password sign-in may get; anything else stops the run. */
const SIGN_IN_ANSWERS: ReadonlySet<string> = new Set([
  '201',
  '401 AUTH_INVALID_CREDENTIALS',
  '401 MFA_REQUIRED',
  '429 AUTH_PASSWORD_THROTTLED',
  '429 RATE_LIMITED',
]);

/** Later steps may be refused in many ways (limits, spent challenges); never with a 5xx or as malformed. */
function check(answer: Answer, what: string, expected?: ReadonlySet<string>): Answer {
  const key = answerKey(answer);
  const broken = expected ? !expected.has(key) : answer.status >= 500 || answer.status === 400 || answer.code === 'UNREADABLE';
  if (broken) throw new Error(`${what} answered ${key}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer;
}

/**
 * The person's mailbox: the development outbox of the run's database, read by the person only.
 * Messages are sealed under the service subject, so it opens them with the run's key service
 * (the key file in the data directory), as `portcullis outbox` does.
 */
export class Mailbox {
  readonly #db: Database.Database;
  readonly #kysely: Kysely<Tables>;
  readonly #dataProtection: DataProtection;
  readonly #closeKeyService: () => Promise<void>;

  constructor(dataDir: string, databaseFile: string) {
    this.#db = new Database(databaseFile, { readonly: true, fileMustExist: true });
    this.#kysely = new Kysely<Tables>({ dialect: new SqliteDialect({ database: this.#db }) });
    const keyService = openLocalKeyService(path.join(dataDir, 'key-service', 'kek.json'), { createIfMissing: false, development: true });
    this.#closeKeyService = () => keyService.close();
    this.#dataProtection = createDataProtection({ keyService, now: Date.now, cache: { maxKeys: 4, ttlMs: 3_600_000 } });
  }

  /** The bodies of the sign-in-code mails to `email` since `sinceMs`, newest first. */
  async #signInCodeMails(email: string, sinceMs: number): Promise<string[]> {
    const rows = await this.#kysely
      .selectFrom('outbox')
      .selectAll()
      .where('channel', '=', 'email')
      .where('created_at', '>=', sinceMs)
      .orderBy('created_at', 'desc')
      .execute();
    const deps = { db: this.#kysely, dataProtection: this.#dataProtection };
    const messages = await Promise.all(rows.map((row) => openOutboxRow(deps, row)));
    return messages.filter((m) => m.to === email && SIGN_IN_CODE_SUBJECT.test(m.subject)).map((m) => m.text);
  }

  /** The codes of the sign-in-code messages to `email` since `sinceMs`, newest first; waits for one. */
  async codes(email: string, sinceMs: number): Promise<string[]> {
    const deadline = Date.now() + MAIL_TIMEOUT_MS;
    for (;;) {
      const codes = (await this.#signInCodeMails(email, sinceMs))
        .map((body) => /\b(\d{6})\b/.exec(body)?.[1])
        .filter((code): code is string => code !== undefined);
      if (codes.length > 0) return codes;
      if (Date.now() > deadline) throw new Error(`no sign-in code mailed to ${email} within ${MAIL_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, MAIL_POLL_MS));
    }
  }

  /**
   * When the server started attack mode during the run, from its audit log (`defense.attack_mode_started`,
   * epoch ms): the simulation reports whether the mode it measures the cost of was on at all.
   */
  attackModeStarts(): number[] {
    return this.#db
      .prepare<[], { occurred_at: number }>(
        `select occurred_at from audit_events where action = 'defense.attack_mode_started' order by occurred_at`,
      )
      .all()
      .map((row) => row.occurred_at);
  }

  async close(): Promise<void> {
    await this.#closeKeyService();
    this.#db.close();
  }
}

export interface LegitimateOutcome {
  readonly kind: Person['kind'];
  /** Ended with tokens. */
  readonly succeeded: boolean;
  /** Had to answer an emailed code (or anything else beyond the account's usual flow). */
  readonly extraStep: boolean;
  /** `reason` of a challenge that asked for more than usual, e.g. `new_device`. */
  readonly reason: string | undefined;
  /** Every answer the person got, in order (`201`, `401 MFA_REQUIRED`, …). */
  readonly answers: readonly string[];
}

export interface LegitimateContext {
  readonly client: LoopbackClient;
  readonly mailbox: Mailbox;
  /** Per run: the newest TOTP step each person has used (the server refuses a step twice). */
  readonly totpSteps: Map<number, number>;
}

/** The person's app shows a new code every 30 s; a code the server has already seen is waited out. */
async function freshTotpCode(person: Person, steps: Map<number, number>): Promise<string> {
  const used = steps.get(person.index) ?? person.totpEnrolledStep;
  let step = totpStepAt(Date.now());
  if (step <= used) {
    await new Promise((resolve) => setTimeout(resolve, (used + 1) * 30_000 - Date.now() + 50));
    step = totpStepAt(Date.now());
  }
  steps.set(person.index, step);
  return totpCode(person.totpSecret ?? '', step);
}

async function answerWithEmail(
  context: LegitimateContext,
  person: Person,
  challenge: Challenge,
  sender: { from: string; key: DPoPKey },
  answers: string[],
): Promise<boolean> {
  const since = Date.now() - 1000;
  const sent = check(await context.client.post(MFA_SEND_PATH, { challenge: challenge.token, channel: 'email' }, sender), 'code request');
  answers.push(answerKey(sent));
  if (sent.status !== 202) return false;
  // Newest first: an attacker may have had a code sent for the same address, for its own challenge.
  for (const code of (await context.mailbox.codes(person.email, since)).slice(0, 3)) {
    const done = check(
      await context.client.post(MFA_PATH, { challenge: challenge.token, method: 'email_code', code }, sender),
      'email code',
    );
    answers.push(answerKey(done));
    if (done.status === 201) return true;
    if (done.code !== 'MFA_CODE_INVALID') return false;
  }
  return false;
}

async function passwordSignIn(context: LegitimateContext, person: Person): Promise<LegitimateOutcome> {
  const sender = { from: person.address, key: person.key };
  const answers: string[] = [];
  const outcome = (succeeded: boolean, extraStep: boolean, reason?: string): LegitimateOutcome => ({
    kind: person.kind,
    succeeded,
    extraStep,
    reason,
    answers,
  });
  const payload = { email: person.email, password: person.password, device: BENCH_DEVICE };
  const first = check(await context.client.post(SIGN_IN_PATH, payload, sender), `sign-in of ${person.email}`, SIGN_IN_ANSWERS);
  answers.push(answerKey(first));
  if (first.status === 201) return outcome(true, false);
  const challenge = challengeOf(first);
  if (challenge === undefined) return outcome(false, false);
  if (person.kind === 'totp' && challenge.methods.includes('totp')) {
    const code = await freshTotpCode(person, context.totpSteps);
    const done = check(await context.client.post(MFA_PATH, { challenge: challenge.token, method: 'totp', code }, sender), 'TOTP code');
    answers.push(answerKey(done));
    return outcome(done.status === 201, false);
  }
  if (!challenge.methods.includes('email_code')) return outcome(false, true, challenge.reason);
  return outcome(await answerWithEmail(context, person, challenge, sender, answers), true, challenge.reason ?? 'unstated');
}

async function passkeySignIn(context: LegitimateContext, person: Person): Promise<LegitimateOutcome> {
  const answers: string[] = [];
  const options = check(await context.client.post('/v1/passkeys/sign-in/options', {}, { from: person.address }), 'passkey options');
  answers.push(answerKey(options));
  if (options.status !== 200 || person.authenticator === null)
    return { kind: person.kind, succeeded: false, extraStep: false, reason: undefined, answers };
  const credential: AuthenticationCredential = person.authenticator.assert(options.body as PasskeyRequestOptions, {
    origin: BENCH_PUBLIC_URL,
  });
  const done = check(
    await context.client.post('/v1/passkeys/sign-in', { credential, device: BENCH_DEVICE }, { from: person.address, key: person.key }),
    'passkey sign-in',
  );
  answers.push(answerKey(done));
  return { kind: person.kind, succeeded: done.status === 201, extraStep: false, reason: undefined, answers };
}

export function legitimateSignIn(context: LegitimateContext, person: Person): Promise<LegitimateOutcome> {
  return person.kind === 'passkey' ? passkeySignIn(context, person) : passwordSignIn(context, person);
}

export interface LeakedPair {
  readonly email: string;
  readonly password: string;
  /** The pair is a right address and password (for information; the attacker does not know). */
  readonly correct: boolean;
}

export interface AttackOutcome {
  /** The first step was refused by a limit (429). */
  readonly refused: boolean;
  /** The password was right and the server asked for more (`MFA_REQUIRED`). */
  readonly challenged: boolean;
  /** The attacker holds tokens for the account. */
  readonly compromised: boolean;
  readonly answers: readonly string[];
}

const randomCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** One leaked pair, tried from `from` with that source's key. */
export async function attackerAttempt(
  client: LoopbackClient,
  pair: LeakedPair,
  source: { from: string; key: DPoPKey },
): Promise<AttackOutcome> {
  const answers: string[] = [];
  const payload = { email: pair.email, password: pair.password, device: BENCH_DEVICE };
  const first = check(await client.post(SIGN_IN_PATH, payload, source), `attack sign-in as ${pair.email}`, SIGN_IN_ANSWERS);
  answers.push(answerKey(first));
  const challenge = challengeOf(first);
  if (challenge === undefined) return { refused: first.status === 429, challenged: false, compromised: first.status === 201, answers };
  // Without the mailbox or the authenticator app, all that is left is asking for a code and guessing.
  let method: string | undefined;
  if (challenge.methods.includes('email_code')) {
    const sent = check(await client.post(MFA_SEND_PATH, { challenge: challenge.token, channel: 'email' }, source), 'attacker code request');
    answers.push(answerKey(sent));
    method = 'email_code';
  } else if (challenge.methods.includes('totp')) {
    method = 'totp';
  }
  if (method === undefined) return { refused: false, challenged: true, compromised: false, answers };
  const guess = check(await client.post(MFA_PATH, { challenge: challenge.token, method, code: randomCode() }, source), 'attacker guess');
  answers.push(answerKey(guess));
  return { refused: false, challenged: true, compromised: guess.status === 201, answers };
}
