/**
 * @module ui/visibility
 *
 * The one way the app says who can see a piece of data: an icon *and* a word (never colour or
 * icon alone), the same everywhere a field appears, with a legend that says what each word
 * means. The words follow the server's classifications (`@portcullis/protocol` classification).
 */
import type { JSX } from 'preact';
import type { Classification } from '@portcullis/protocol';

interface Label {
  readonly word: string;
  readonly meaning: string;
  readonly icon: 'globe' | 'people' | 'heart' | 'lock';
}

export const VISIBILITY: Record<Classification, Label> = {
  public: { word: 'Public', meaning: 'Anyone signed in to the clinic can see it.', icon: 'globe' },
  care_team: { word: 'Care team', meaning: 'You and the clinicians you gave access to your file.', icon: 'people' },
  phi: { word: 'Care team · health', meaning: 'Health information: only you and the clinicians you gave access.', icon: 'heart' },
  private: { word: 'Private', meaning: 'Only you, and support staff when they help with your account.', icon: 'lock' },
};

const PATHS: Record<Label['icon'], string> = {
  globe:
    'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm0 2c1.2 1.5 2 3.6 2.2 6H9.8C10 7.6 10.8 5.5 12 4Zm-2.3 8h4.6c-.2 2.4-1 4.5-2.3 6-1.2-1.5-2-3.6-2.3-6ZM4.1 12h3.6c.1 2 .6 3.9 1.4 5.4A8 8 0 0 1 4.1 12Zm0-2a8 8 0 0 1 5-5.4C8.3 6.1 7.8 8 7.7 10H4.1Zm11.8 7.4c.8-1.5 1.3-3.4 1.4-5.4h3.6a8 8 0 0 1-5 5.4Zm1.4-7.4c-.1-2-.6-3.9-1.4-5.4a8 8 0 0 1 5 5.4h-3.6Z',
  people:
    'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm7 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6ZM1 20c0-3.3 3.6-6 8-6s8 2.7 8 6v1H1v-1Zm17.5 1v-1c0-1.8-.7-3.4-1.9-4.6 3.6.3 6.4 2.3 6.4 4.6v1h-4.5Z',
  heart: 'M12 21s-8-5.2-8-11a4.5 4.5 0 0 1 8-2.8A4.5 4.5 0 0 1 20 10c0 5.8-8 11-8 11Z',
  lock: 'M7 10V7a5 5 0 0 1 10 0v3h1a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V11a1 1 0 0 1 1-1h1Zm2 0h6V7a3 3 0 0 0-6 0v3Z',
};

function Icon(props: { name: Label['icon'] }): JSX.Element {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={PATHS[props.name]} fill="currentColor" />
    </svg>
  );
}

/** Who can see this: icon plus word, with the meaning available to assistive technology. */
export function VisibilityLabel(props: { classification: Classification }): JSX.Element {
  const label = VISIBILITY[props.classification];
  return (
    <span class={`visibility visibility-${props.classification}`} title={label.meaning}>
      <Icon name={label.icon} />
      <span>{label.word}</span>
      <span class="visually-hidden">: {label.meaning}</span>
    </span>
  );
}

/** The legend shown once per page that lists labelled data. */
export function VisibilityLegend(): JSX.Element {
  return (
    <dl class="legend" aria-label="Who can see each field">
      {(Object.keys(VISIBILITY) as Classification[]).map((classification) => (
        <div key={classification}>
          <dt>
            <VisibilityLabel classification={classification} />
          </dt>
          <dd>{VISIBILITY[classification].meaning}</dd>
        </div>
      ))}
    </dl>
  );
}
