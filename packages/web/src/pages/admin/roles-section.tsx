/**
 * @module pages/admin/roles-section
 *
 * An account's roles, as checkboxes: the clinic's roles plus any other the account holds (a
 * deployment may configure more). Saving needs a passkey step-up; the admin role is not given
 * at once but waits for a second admin, and the page says so.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { setAccountRoles } from '@portcullis/sdk/admin';
import { client } from '../../client.ts';
import { Form } from '../../ui/form.tsx';
import { Section } from '../../ui/page.tsx';
import { useStepUp } from '../../ui/step-up.tsx';

const CLINIC_ROLES = ['patient', 'clinician', 'support', 'admin', 'auditor'];

export function RolesSection(props: { accountId: string; current: readonly string[]; onChanged: () => void }): JSX.Element {
  return (
    <Section title="Roles">
      <RolesForm accountId={props.accountId} current={props.current} onChanged={props.onChanged} />
    </Section>
  );
}

function RolesForm(props: { accountId: string; current: readonly string[]; onChanged: () => void }): JSX.Element {
  const stepUp = useStepUp();
  const [chosen, setChosen] = useState<readonly string[]>(props.current);
  const roles = [...CLINIC_ROLES, ...props.current.filter((role) => !CLINIC_ROLES.includes(role))];
  return (
    <Form
      submit="Save roles"
      label="Roles of this account"
      action={async () => {
        const result = await setAccountRoles(client, props.accountId, chosen, stepUp);
        props.onChanged();
        const now = result.roles.length > 0 ? result.roles.join(', ') : 'no role';
        const waiting = result.pending.map((grant) => grant.role);
        return waiting.length > 0
          ? `Roles saved: ${now}. Waiting for a second admin to approve: ${waiting.join(', ')}.`
          : `Roles saved: ${now}.`;
      }}
    >
      <fieldset class="checks">
        <legend>Roles of this account</legend>
        {roles.map((role) => (
          <label key={role} class="check">
            <input
              type="checkbox"
              name="roles"
              value={role}
              checked={chosen.includes(role)}
              onChange={(event) => {
                const on = event.currentTarget.checked;
                setChosen(on ? [...chosen, role] : chosen.filter((held) => held !== role));
              }}
            />{' '}
            {role}
          </label>
        ))}
      </fieldset>
      <p class="hint">Saving asks you to confirm it is you. Giving the admin role waits for a second admin.</p>
    </Form>
  );
}
