/**
 * @module pages/security/passkeys-section
 *
 * The account's passkeys: each with its name, when it was added and last used, whether it syncs;
 * add one on this device, rename one, remove one (the server asks for a passkey step-up first,
 * and staff keep at least one).
 */
import type { JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { browserPasskeyAuthenticator, type Passkey } from '@portcullis/sdk';
import { client, thisDevice } from '../../client.ts';
import { When } from '../../ui/account-when.tsx';
import { ActionButton, Field, Form } from '../../ui/form.tsx';
import { Loading, Notice, Section } from '../../ui/page.tsx';
import { problemWords } from '../../ui/problem.ts';
import { useStepUp } from '../../ui/step-up.tsx';

export function PasskeysSection(): JSX.Element {
  const [passkeys, setPasskeys] = useState<readonly Passkey[] | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [name, setName] = useState(thisDevice.label);
  const load = useCallback(async () => {
    try {
      setPasskeys((await client.listPasskeys()).passkeys);
      setFailure(undefined);
    } catch (error) {
      setFailure(problemWords(error));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <Section title="Passkeys">
      <p>A passkey signs you in with this device’s screen lock or a security key. It cannot be phished or guessed.</p>
      {failure ? <Notice kind="error">{failure}</Notice> : null}
      {passkeys === undefined ? (
        failure ? null : (
          <Loading what="your passkeys" />
        )
      ) : passkeys.length === 0 ? (
        <p>You have no passkey yet.</p>
      ) : (
        <ul class="list" aria-label="Your passkeys">
          {passkeys.map((passkey) => (
            <PasskeyItem key={passkey.id} passkey={passkey} onChange={load} />
          ))}
        </ul>
      )}
      <h3>Add a passkey</h3>
      <Form
        submit="Add a passkey"
        label="Add a passkey"
        action={async () => {
          const added = await client.registerPasskey(browserPasskeyAuthenticator(), name.trim() || thisDevice.label);
          await load();
          return `Passkey “${added.name}” added.`;
        }}
      >
        <Field
          label="Passkey name"
          name="new-passkey-name"
          value={name}
          onInput={setName}
          hint="So you can tell your passkeys apart later, for example “Work laptop”."
          maxLength={64}
        />
      </Form>
    </Section>
  );
}

function PasskeyItem(props: { passkey: Passkey; onChange: () => Promise<void> }): JSX.Element {
  const { passkey } = props;
  const prompt = useStepUp();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(passkey.name);
  const nameId = `passkey-${passkey.id}`;
  return (
    <li>
      <div class="item-text">
        <strong id={nameId}>{passkey.name}</strong>
        <p class="muted">
          Added <When at={passkey.createdAt} /> · Last used <When at={passkey.lastUsedAt} />
          {' · '}
          {passkey.backupEligible ? 'Synced between your devices' : 'Only on one device or key'}
        </p>
        {passkey.suspended ? (
          <Notice kind="warning">This passkey is blocked: a copy of it was detected. Remove it and add a new one.</Notice>
        ) : null}
        {renaming ? (
          <Form
            submit="Save name"
            label={`Rename passkey ${passkey.name}`}
            action={async () => {
              await client.renamePasskey(passkey.id, name.trim());
              setRenaming(false);
              await props.onChange();
            }}
            secondary={
              <button type="button" class="button plain" onClick={() => setRenaming(false)}>
                Cancel
              </button>
            }
          >
            <Field label="New name" name="passkey-name" value={name} onInput={setName} maxLength={64} />
          </Form>
        ) : null}
      </div>
      {renaming ? null : (
        <div class="item-actions">
          <button type="button" class="button plain" aria-describedby={nameId} onClick={() => setRenaming(true)}>
            Rename
          </button>
          <ActionButton
            label="Remove"
            kind="danger"
            describedBy={nameId}
            action={async () => {
              await client.removePasskey(passkey.id, prompt);
              await props.onChange();
            }}
          />
        </div>
      )}
    </li>
  );
}
