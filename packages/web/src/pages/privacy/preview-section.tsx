/**
 * @module pages/privacy/preview-section
 *
 * "See what others see": the person's profile and file exactly as the public or their care team
 * receives them (the server answers through the same visibility rules as every real response).
 * Every field is listed, so what is hidden is said in words, not left out.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { previewMyData } from '@portcullis/sdk';
import type { Classification, OwnProfile, PreviewAudience, ProfilePreview } from '@portcullis/protocol';
import { client } from '../../client.ts';
import { Notice, Section } from '../../ui/page.tsx';
import { problemWords } from '../../ui/problem.ts';
import { fieldOrder, fieldWords, valueText } from './profile-fields.ts';

const AUDIENCE: Record<PreviewAudience, { button: string; heading: string; who: string; receives: readonly Classification[] }> = {
  public: { button: 'See what anyone sees', heading: 'What anyone signed in sees', who: 'anyone signed in', receives: ['public'] },
  care_team: {
    button: 'See what my care team sees',
    heading: 'What your care team sees',
    who: 'your care team',
    receives: ['public', 'care_team', 'phi'],
  },
};

export function PreviewSection(props: { profile: OwnProfile }): JSX.Element {
  const [preview, setPreview] = useState<ProfilePreview | undefined>();
  const [busy, setBusy] = useState<PreviewAudience | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const show = (audience: PreviewAudience): void => {
    setBusy(audience);
    setFailure(undefined);
    previewMyData(client, audience)
      .then(setPreview, (error: unknown) => setFailure(problemWords(error)))
      .finally(() => setBusy(undefined));
  };
  return (
    <Section title="See what others see">
      <p>Check exactly what others receive of your profile and your file, as the clinic’s rules apply them.</p>
      <div class="form-actions">
        {(Object.keys(AUDIENCE) as PreviewAudience[]).map((audience) => (
          <button
            key={audience}
            type="button"
            class={`button ${preview?.as === audience ? 'primary' : 'plain'}`}
            aria-pressed={preview?.as === audience}
            disabled={busy !== undefined}
            aria-busy={busy === audience}
            onClick={() => show(audience)}
          >
            {AUDIENCE[audience].button}
          </button>
        ))}
      </div>
      {failure ? <Notice kind="error">{failure}</Notice> : null}
      <p class="visually-hidden" role="status">
        {preview ? `Showing ${AUDIENCE[preview.as].heading.toLowerCase()}.` : ''}
      </p>
      {preview ? <PreviewResult preview={preview} profile={props.profile} /> : null}
    </Section>
  );
}

function PreviewResult(props: { preview: ProfilePreview; profile: OwnProfile }): JSX.Element {
  const { preview, profile } = props;
  const words = AUDIENCE[preview.as];
  const keys = fieldOrder(Object.keys(profile.sharing));
  const shown = keys.filter((key) => Object.hasOwn(preview.profile.fields, key));
  const entries = preview.entries.length;
  return (
    <div class="preview" role="region" aria-labelledby="preview-title">
      <h3 id="preview-title">{words.heading}</h3>
      <p>
        {shown.length === 0
          ? `They see none of your profile fields.`
          : `They see ${shown.length} of your ${keys.length} profile fields. The others are hidden from them.`}
      </p>
      <dl class="fields" aria-label={words.heading}>
        {keys.map((key) => {
          const visible = Object.hasOwn(preview.profile.fields, key);
          const given = valueText(profile.fields[key]) !== '';
          const sharing = profile.sharing[key];
          // An empty field: say whether they would see it once filled in, from who it is shared with.
          const wouldSee = sharing !== undefined && words.receives.includes(sharing);
          return (
            <div key={key}>
              <dt>{fieldWords(key).label}</dt>
              <dd>
                {visible ? valueText(preview.profile.fields[key]) : <span class="muted">{given ? 'Hidden from them' : 'Not given'}</span>}
              </dd>
              <dd>
                <strong>{visible ? 'Shown' : given || !wouldSee ? 'Hidden' : 'Shown once you fill it in'}</strong>
              </dd>
            </div>
          );
        })}
      </dl>
      <p>
        {preview.as === 'public'
          ? 'Your file: hidden. Nobody outside your care team sees any of it.'
          : entries === 0
            ? 'Your file: no entries for them to read yet.'
            : `Your file: a clinician you gave access to can read ${entries === 1 ? '1 entry' : `${entries} entries`}.`}
      </p>
      <p class="muted">This is what {words.who} receives now. Change who can see a field in My profile above.</p>
    </div>
  );
}
