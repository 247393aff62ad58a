/**
 * @module pages/support/elevation-request
 *
 * Asking for a temporary role (an elevation): which role, why, for how long, confirmed with a
 * step-up; and the person's own elevations, which they may end early. Approvers see the reason,
 * so the hint asks for a ticket number rather than anyone's personal details.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { endElevation, listElevations, requestElevation } from '@portcullis/sdk/elevation';
import { client } from '../../client.ts';
import { ActionButton, Field, Form } from '../../ui/form.tsx';
import { Loading, Notice, Section } from '../../ui/page.tsx';
import { useStepUp } from '../../ui/step-up.tsx';
import { SelectField, timeText, type Choice } from '../../ui/staff-controls.tsx';
import { useLoaded } from '../../ui/load.ts';
import { ElevationSummary } from '../admin/elevation-summary.tsx';

const ROLES: readonly Choice[] = [
  { value: 'admin', label: 'Admin' },
  { value: 'auditor', label: 'Auditor' },
  { value: 'support', label: 'Support' },
];

const DURATIONS: readonly Choice[] = [
  { value: '900', label: '15 minutes' },
  { value: '1800', label: '30 minutes' },
  { value: '3600', label: '1 hour' },
];

export function ElevationRequestSection(): JSX.Element {
  const stepUp = useStepUp();
  const [role, setRole] = useState('admin');
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState('900');
  const loaded = useLoaded(() => listElevations(client));
  const reload = (): void => void loaded.reload();
  return (
    <Section title="Ask for a temporary role">
      <Form
        submit="Ask for the role"
        label="Ask for a temporary role"
        action={async () => {
          const elevation = await requestElevation(client, { role, reason: reason.trim(), durationSeconds: Number(duration) }, stepUp);
          reload();
          setReason('');
          return elevation.status === 'pending'
            ? 'Your request is waiting for another person to approve it.'
            : `You have the role until ${elevation.expiresAt ? timeText(elevation.expiresAt) : 'you end it'}.`;
        }}
      >
        <SelectField label="Role" name="role" value={role} choices={ROLES} onChange={setRole} />
        <Field
          label="Why you need it"
          name="reason"
          value={reason}
          onInput={setReason}
          multiline
          maxLength={500}
          hint="10 to 500 characters. Approvers read it: give the ticket number, not anyone’s personal or medical details."
          required
        />
        <SelectField label="For how long" name="duration" value={duration} choices={DURATIONS} onChange={setDuration} />
      </Form>
      <h3>Your temporary roles</h3>
      {loaded.value === undefined && loaded.error === undefined ? <Loading what="your temporary roles" /> : null}
      {loaded.error !== undefined ? <Notice kind="error">{loaded.error}</Notice> : null}
      {loaded.value !== undefined && loaded.value.elevations.length === 0 ? <p class="muted">You have asked for none.</p> : null}
      {loaded.value !== undefined && loaded.value.elevations.length > 0 ? (
        <ul class="list" aria-label="Your temporary roles">
          {loaded.value.elevations.map((elevation) => (
            <li key={elevation.id}>
              <ElevationSummary elevation={elevation} />
              {elevation.status === 'pending' || elevation.status === 'active' ? (
                <ActionButton
                  label={elevation.status === 'pending' ? 'Withdraw' : 'End now'}
                  action={async () => {
                    await endElevation(client, elevation.id);
                    reload();
                  }}
                />
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}
