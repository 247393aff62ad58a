/**
 * @module pages/audit/entry-section
 *
 * One audit entry in full, with its canonical JSON (what was hashed), and its inclusion proof
 * verified here in the browser against the latest signed checkpoint. The page says what it
 * checked, step by step, in words, whether it passed or not.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { AuditEntry } from '@portcullis/sdk';
import {
  getAuditCheckpoint,
  getAuditInclusionProof,
  verifyAuditInclusion,
  type AuditInclusionCheck,
  type AuditInclusionVerdict,
} from '@portcullis/sdk/audit';
import { client } from '../../client.ts';
import { problemWords } from '../../ui/problem.ts';
import { Notice, Section } from '../../ui/page.tsx';
import { timeText } from '../../ui/staff-controls.tsx';

type Outcome =
  | { readonly kind: 'verdict'; readonly verdict: AuditInclusionVerdict; readonly treeSize: number }
  | { readonly kind: 'not_yet' }
  | { readonly kind: 'error'; readonly words: string };

const CHECKS: readonly AuditInclusionCheck[] = ['checkpoint_signature', 'checkpoint_matches', 'leaf_hash', 'inclusion_path'];

function checkWords(check: AuditInclusionCheck, treeSize: number, keyName: string | undefined): string {
  switch (check) {
    case 'checkpoint_signature':
      return `The checkpoint is signed by ${keyName ?? 'the key it names'} (Ed25519 signed note).`;
    case 'checkpoint_matches':
      return `The proof is for this entry in the signed tree of ${treeSize} entries, with the signed root hash.`;
    case 'leaf_hash':
      return 'The entry’s leaf hash, computed here from its canonical JSON (SHA-256), matches the proof.';
    case 'inclusion_path':
      return 'The RFC 9162 audit path leads from the entry to the signed root hash (SHA-256).';
  }
}

async function verify(entry: AuditEntry): Promise<Outcome> {
  const { checkpoint } = await getAuditCheckpoint(client);
  if (!checkpoint || entry.index >= checkpoint.treeSize) return { kind: 'not_yet' };
  const proof = await getAuditInclusionProof(client, { entryIndex: entry.index, treeSize: checkpoint.treeSize });
  return { kind: 'verdict', verdict: await verifyAuditInclusion(entry, proof, checkpoint), treeSize: checkpoint.treeSize };
}

export function EntrySection(props: { entry: AuditEntry }): JSX.Element {
  const { entry } = props;
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const rows: [string, string | null, boolean][] = [
    ['Time', timeText(entry.time), false],
    ['Event', entry.action, true],
    ['Outcome', entry.outcome === 'success' ? 'Success' : 'Failure', false],
    ['Actor', entry.actor, true],
    ['Account concerned', entry.subject, true],
    ['Session', entry.session, true],
    ['Request id', entry.requestId, true],
    ['Network', entry.ipPrefix, true],
    ['Detail', entry.reason, true],
  ];
  return (
    <Section title={`Entry ${entry.index}`}>
      <dl class="fields">
        {rows.map(([name, value, code]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value === null ? <span class="muted">None</span> : code ? <code>{value}</code> : value}</dd>
          </div>
        ))}
      </dl>
      <h3>What was hashed</h3>
      <pre class="mono note">{entry.canonical}</pre>
      <div class="form-actions">
        <button
          type="button"
          class="button primary"
          disabled={busy}
          aria-busy={busy}
          onClick={() => {
            setBusy(true);
            setOutcome(undefined);
            void verify(entry)
              .then(setOutcome, (failure: unknown) => setOutcome({ kind: 'error', words: problemWords(failure) }))
              .finally(() => setBusy(false));
          }}
        >
          {busy ? 'Verifying…' : 'Verify its inclusion proof'}
        </button>
      </div>
      {outcome ? <OutcomeNotice outcome={outcome} /> : null}
    </Section>
  );
}

function OutcomeNotice(props: { outcome: Outcome }): JSX.Element {
  const { outcome } = props;
  if (outcome.kind === 'error') return <Notice kind="error">{outcome.words}</Notice>;
  if (outcome.kind === 'not_yet')
    return (
      <Notice kind="info">
        This entry is newer than the latest signed checkpoint. The log signs a new checkpoint every few minutes: try again soon.
      </Notice>
    );
  const { verdict, treeSize } = outcome;
  const passed = new Map(verdict.steps.map((step) => [step.check, step.passed]));
  return (
    <Notice kind={verdict.verified ? 'success' : 'error'}>
      <p class="verdict">
        <strong>{verdict.verified ? 'Verified in your browser' : 'Verification failed'}</strong>
      </p>
      <ul class="checks-done">
        {CHECKS.map((check) => {
          const state = passed.get(check);
          const word = state === undefined ? 'Not checked' : state ? 'Passed' : 'Failed';
          return (
            <li key={check}>
              <strong>{word}:</strong> {checkWords(check, treeSize, verdict.keyName)}
            </li>
          );
        })}
      </ul>
      {verdict.verified ? null : <p>Do not trust this entry or this checkpoint. Report it to your security team.</p>}
    </Notice>
  );
}
