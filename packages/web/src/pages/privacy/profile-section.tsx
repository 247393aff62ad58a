/**
 * @module pages/privacy/profile-section
 *
 * My profile: every declared field with its value and who can see it (icon and word), and a form
 * that changes both. The server replaces the profile whole, so the form sends every value kept;
 * it sends only the audiences the person changed, and names a refused field in words.
 */
import type { JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import { isApiError, updateMyProfile } from '@portcullis/sdk';
import type { Classification, OwnProfile, RecordFields } from '@portcullis/protocol';
import { client } from '../../client.ts';
import { When } from '../../ui/account-when.tsx';
import { Field, Form } from '../../ui/form.tsx';
import { Section } from '../../ui/page.tsx';
import { InputProblem } from '../../ui/problem.ts';
import { VISIBILITY, VisibilityLabel, VisibilityLegend } from '../../ui/visibility.tsx';
import { fieldOrder, fieldWords, SHARING_CHOICES, valueText } from './profile-fields.ts';

export function ProfileSection(props: { profile: OwnProfile; onSaved: (profile: OwnProfile) => void }): JSX.Element {
  const { profile } = props;
  const [editing, setEditing] = useState(false);
  const keys = fieldOrder(Object.keys(profile.sharing));
  return (
    <Section title="My profile">
      <p>Each field says who can see it. You choose, field by field.</p>
      <VisibilityLegend />
      {editing ? (
        <ProfileForm
          profile={profile}
          keys={keys}
          onSaved={(saved) => {
            setEditing(false);
            props.onSaved(saved);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          <dl class="fields" aria-label="My profile">
            {keys.map((key) => {
              const value = valueText(profile.fields[key]);
              const sharing = profile.sharing[key];
              return (
                <div key={key}>
                  <dt>{fieldWords(key).label}</dt>
                  <dd>{value === '' ? <span class="muted">Not given</span> : value}</dd>
                  <dd>{sharing ? <VisibilityLabel classification={sharing} /> : null}</dd>
                </div>
              );
            })}
          </dl>
          <p class="muted">
            {profile.updatedAt ? (
              <>
                Last changed <When at={profile.updatedAt} />.
              </>
            ) : (
              'You have not filled in your profile yet.'
            )}
          </p>
          <button type="button" class="button primary" onClick={() => setEditing(true)}>
            Edit my profile
          </button>
        </>
      )}
    </Section>
  );
}

function ProfileForm(props: {
  profile: OwnProfile;
  keys: readonly string[];
  onSaved: (profile: OwnProfile) => void;
  onCancel: () => void;
}): JSX.Element {
  const { profile, keys } = props;
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(keys.map((key) => [key, valueText(profile.fields[key])])),
  );
  const [sharing, setSharing] = useState<Record<string, Classification>>(() => ({ ...profile.sharing }));
  return (
    <Form
      submit="Save my profile"
      label="Edit my profile"
      action={async () => {
        const fields: RecordFields = {};
        for (const key of keys) {
          const value = (values[key] ?? '').trim();
          if (value !== '') fields[key] = typed(value, profile.fields[key]);
        }
        const changed = Object.fromEntries(keys.filter((key) => sharing[key] !== profile.sharing[key]).map((key) => [key, sharing[key]]));
        try {
          props.onSaved(await updateMyProfile(client, { fields, sharing: changed as Record<string, Classification> }));
        } catch (error) {
          throw refusedFields(error);
        }
      }}
      secondary={
        <button type="button" class="button plain" onClick={props.onCancel}>
          Cancel
        </button>
      }
    >
      {keys.map((key) => {
        const words = fieldWords(key);
        return (
          <div key={key} class="profile-field">
            <Field
              label={words.label}
              name={key}
              value={values[key] ?? ''}
              onInput={(value) => setValues((current) => ({ ...current, [key]: value }))}
              hint={words.hint}
              multiline={words.multiline}
            />
            <SharingChoice
              label={`Who can see your ${words.label.toLowerCase()}`}
              value={sharing[key] ?? 'private'}
              onChange={(choice) => setSharing((current) => ({ ...current, [key]: choice }))}
            />
          </div>
        );
      })}
    </Form>
  );
}

function SharingChoice(props: { label: string; value: Classification; onChange: (value: Classification) => void }): JSX.Element {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value as Classification)}>
        {SHARING_CHOICES.map((choice) => (
          <option key={choice} value={choice}>
            {VISIBILITY[choice].word}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Keeps a number or yes/no field's type; everything else is text (dates are text too). */
function typed(input: string, before: string | number | boolean | undefined): string | number | boolean {
  if (typeof before === 'number' && input !== '' && Number.isFinite(Number(input))) return Number(input);
  if (typeof before === 'boolean') return /^(yes|true)$/i.test(input);
  return input;
}

/** The server's `REQUEST_INVALID` pointers (`/body/fields/phone`, `/body/sharing/phone`) in words. */
function refusedFields(error: unknown): unknown {
  if (!isApiError(error, 'REQUEST_INVALID') || !error.issues?.length) return error;
  const sentences = new Set<string>();
  for (const issue of error.issues) {
    const match = /^\/body\/(fields|sharing)\/([^/]+)/.exec(issue.pointer);
    if (!match?.[2]) continue;
    const words = fieldWords(match[2]);
    sentences.add(
      match[1] === 'sharing'
        ? `${words.label} cannot be shown that widely. Choose a smaller group.`
        : `Check ${words.label.toLowerCase()}${words.hint ? `: ${words.hint}` : '.'}`,
    );
  }
  return sentences.size > 0 ? new InputProblem([...sentences].join(' ')) : error;
}
