/**
 * @module pages/audit/checkpoint-section
 *
 * The latest signed checkpoint of the audit log: which log (origin), how many entries, the
 * root hash, the key that signed it, and whether that signature verifies here in the browser
 * (C2SP signed note, Ed25519 by WebCrypto, the SDK's key-transparency code).
 */
import type { JSX } from 'preact';
import type { AuditCheckpoint } from '@portcullis/sdk';
import { getAuditCheckpoint } from '@portcullis/sdk/audit';
import { verifyCheckpoint } from '@portcullis/sdk/key-transparency';
import { client } from '../../client.ts';
import { Loading, Notice, Section } from '../../ui/page.tsx';
import { useLoaded } from '../../ui/load.ts';

interface Shown {
  readonly checkpoint: AuditCheckpoint | null;
  readonly signatureValid: boolean;
}

async function loadCheckpoint(): Promise<Shown> {
  const { checkpoint } = await getAuditCheckpoint(client);
  if (!checkpoint) return { checkpoint, signatureValid: false };
  const signatureValid = await verifyCheckpoint(checkpoint.note, checkpoint.verifierKey).then(
    (verified) => verified.size === checkpoint.treeSize,
    () => false,
  );
  return { checkpoint, signatureValid };
}

/** `<name>+<key id>` of a C2SP verifier key, without the key itself. */
export function keyNameOf(verifierKey: string): string {
  return verifierKey.split('+').slice(0, 2).join('+');
}

export function CheckpointSection(): JSX.Element {
  const loaded = useLoaded(loadCheckpoint);
  const reload = (): void => void loaded.reload();
  return (
    <Section title="Latest signed checkpoint">
      {loaded.value === undefined && loaded.error === undefined ? <Loading what="the checkpoint" /> : null}
      {loaded.error !== undefined ? <Notice kind="error">{loaded.error}</Notice> : null}
      {loaded.value !== undefined && !loaded.value.checkpoint ? <p class="muted">The log is empty: nothing is signed yet.</p> : null}
      {loaded.value !== undefined && loaded.value.checkpoint ? (
        <CheckpointFacts checkpoint={loaded.value.checkpoint} signatureValid={loaded.value.signatureValid} />
      ) : null}
      <button type="button" class="button" onClick={reload}>
        Load the latest checkpoint
      </button>
    </Section>
  );
}

function CheckpointFacts(props: { checkpoint: AuditCheckpoint; signatureValid: boolean }): JSX.Element {
  const { checkpoint } = props;
  return (
    <>
      <dl class="fields">
        <div>
          <dt>Origin</dt>
          <dd>
            <code>{checkpoint.note.split('\n', 1)[0]}</code>
          </dd>
        </div>
        <div>
          <dt>Tree size</dt>
          <dd>{checkpoint.treeSize} entries</dd>
        </div>
        <div>
          <dt>Root hash</dt>
          <dd>
            <code>{checkpoint.rootHash}</code>
          </dd>
        </div>
        <div>
          <dt>Signature key</dt>
          <dd>
            <code>{keyNameOf(checkpoint.verifierKey)}</code>
          </dd>
        </div>
        <div>
          <dt>Signature</dt>
          <dd>{props.signatureValid ? 'Valid: checked in your browser (Ed25519)' : 'Does not verify: do not trust this checkpoint'}</dd>
        </div>
      </dl>
      {props.signatureValid ? null : <Notice kind="error">The checkpoint’s signature does not verify with the key it names.</Notice>}
      <details class="details">
        <summary>Signed note, as received</summary>
        <pre class="mono note">{checkpoint.note}</pre>
      </details>
      <p class="hint">Compare the signature key with the audit log key your organisation published.</p>
    </>
  );
}
