/**
 * @module pages/messages/safety-number-view
 *
 * The safety number with one contact: 60 digits in twelve blocks of five, the same on both
 * people's screens when no one sits between them. Comparing it in person (or on a call where
 * they recognise each other) is what makes "end-to-end" true; marking it verified makes the app
 * warn if the contact's keys change later.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { formatSafetyNumber, type ContactStatus } from '@portcullis/sdk/messaging';
import { usePersonName } from '../../ui/care-people.tsx';
import { ActionButton } from '../../ui/form.tsx';
import { Notice, Section } from '../../ui/page.tsx';
import { problemWords } from '../../ui/problem.ts';
import { useFocusHeading } from './focus-heading.ts';
import type { MessagingDevice } from './messaging-device.ts';

export function SafetyNumberView(props: {
  device: MessagingDevice;
  groupId: string;
  contactId: string;
  onVerified: () => Promise<void>;
  onClose: () => void;
}): JSX.Element {
  const { device, groupId, contactId } = props;
  const name = usePersonName(contactId, 'this contact');
  useFocusHeading('safety-number', contactId);
  const [blocks, setBlocks] = useState<string[] | undefined>();
  const [status, setStatus] = useState<ContactStatus | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  useEffect(() => {
    void device.engine
      .safetyNumber(groupId, contactId)
      .then((digits) => setBlocks(formatSafetyNumber(digits).split(' ')))
      .catch((error: unknown) => setFailure(problemWords(error)));
    void device.engine.contactStatus(contactId).then(setStatus, () => undefined);
  }, [device, groupId, contactId]);
  return (
    <Section title={`Safety number with ${name}`} id="safety-number">
      {failure ? <Notice kind="error">{failure}</Notice> : null}
      {status === 'changed' ? (
        <Notice kind="warning">The security key of {name} changed since you last compared. Compare the number again.</Notice>
      ) : null}
      {status === 'verified' ? <p>You compared this number with {name}. ✓</p> : null}
      {blocks ? (
        <ol class="safety-number" aria-label={`Safety number with ${name}, 12 blocks of 5 digits`}>
          {blocks.map((block, index) => (
            <li key={index}>{block}</li>
          ))}
        </ol>
      ) : failure ? null : (
        <p class="muted" role="status">
          Working out the safety number…
        </p>
      )}
      <ol class="steps">
        <li>Meet {name} in person, or call them on a number you already trust.</li>
        <li>Each of you opens this screen: they open the safety number with you.</li>
        <li>Compare every block of digits. If all are the same, nobody else can read your messages.</li>
        <li>If any block differs, do not send anything private, and tell the clinic.</li>
      </ol>
      <p class="muted">The number changes when either of you adds, removes or replaces a device. Compare it again then.</p>
      <div class="form-actions">
        {blocks ? (
          <ActionButton
            label="Mark as verified"
            kind="primary"
            action={async () => {
              await device.engine.markVerified(groupId, contactId);
              setStatus('verified');
              await props.onVerified();
              return `Marked as verified. You will be warned if the security key of ${name} changes.`;
            }}
          />
        ) : null}
        <button type="button" class="button plain" onClick={props.onClose}>
          Back to the conversation
        </button>
      </div>
    </Section>
  );
}
