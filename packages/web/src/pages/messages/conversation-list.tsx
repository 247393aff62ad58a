/**
 * @module pages/messages/conversation-list
 *
 * The conversations of this device, and starting one with a person of the care relation: a
 * patient with a clinician they gave access, a clinician with a patient who gave them access
 * (the server refuses anyone else). An existing conversation with that person is reopened
 * rather than doubled.
 */
import type { JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import { listGrantingPatients, listRecordGrants } from '@portcullis/sdk/records';
import { client } from '../../client.ts';
import { useLoaded } from '../../ui/load.ts';
import { nameOf, usePersonName } from '../../ui/care-people.tsx';
import { Form } from '../../ui/form.tsx';
import { InputProblem } from '../../ui/problem.ts';
import { Loading, Notice } from '../../ui/page.tsx';
import type { MessagingDevice } from './messaging-device.ts';

export interface Conversation {
  readonly groupId: string;
  /** The other people in it (account ids). */
  readonly others: readonly string[];
}

export function ConversationList(props: {
  conversations: readonly Conversation[];
  openGroupId: string | undefined;
  onOpen: (groupId: string) => void;
}): JSX.Element {
  if (props.conversations.length === 0) return <p class="muted">No conversations yet. Start one below.</p>;
  return (
    <ul class="list" aria-label="Conversations">
      {props.conversations.map((conversation) => (
        <ConversationItem
          key={conversation.groupId}
          conversation={conversation}
          open={conversation.groupId === props.openGroupId}
          onOpen={() => props.onOpen(conversation.groupId)}
        />
      ))}
    </ul>
  );
}

function ConversationItem(props: { conversation: Conversation; open: boolean; onOpen: () => void }): JSX.Element {
  const first = usePersonName(props.conversation.others[0], 'Nobody else yet');
  const more = props.conversation.others.length - 1;
  const title = more > 0 ? `${first} and ${more} more` : first;
  return (
    <li>
      <span>{title}</span>
      <button type="button" class="button" aria-current={props.open ? 'true' : undefined} onClick={props.onOpen}>
        {props.open ? 'Open now' : 'Open'}
        <span class="visually-hidden"> the conversation with {title}</span>
      </button>
    </li>
  );
}

export function StartConversation(props: {
  device: MessagingDevice;
  isPatient: boolean;
  conversations: readonly Conversation[];
  onStarted: (groupId: string) => Promise<void>;
}): JSX.Element {
  const { isPatient } = props;
  const contacts = useLoaded(
    async () =>
      isPatient
        ? (await listRecordGrants(client)).grants.map((g) => g.granteeAccountId)
        : (await listGrantingPatients(client)).grants.map((g) => g.patientAccountId),
    String(isPatient),
  );
  const [chosen, setChosen] = useState('');
  const selectId = useId();
  if (contacts.error) return <Notice kind="error">{contacts.error}</Notice>;
  if (!contacts.value) return <Loading what="whom you can message" />;
  const people = [...new Set(contacts.value)];
  if (people.length === 0) {
    return (
      <p class="muted">
        {isPatient
          ? 'You can message the clinicians you gave access to your file. Give a clinician access first, on “Who can see my file”.'
          : 'You can message the patients who gave you access to their file. No patient has yet.'}
      </p>
    );
  }
  const contactId = chosen || people[0] || '';
  return (
    <Form
      submit="Start conversation"
      label="Start a conversation"
      action={async () => {
        const existing = props.conversations.find((c) => c.others.length === 1 && c.others[0] === contactId);
        if (existing) return props.onStarted(existing.groupId);
        // Messages are encrypted for each device of the person: without one, nobody could read them.
        if ((await props.device.transport.listDevices(contactId)).length === 0) {
          const contactName = (await nameOf(contactId)) ?? (isPatient ? 'This clinician' : 'This patient');
          throw new InputProblem(
            `${contactName} has not opened Messages yet. Ask them to open Messages once on their device; then you can start the conversation.`,
          );
        }
        await props.onStarted(await props.device.engine.createConversation([contactId]));
      }}
    >
      <div class="field">
        <label for={selectId}>{isPatient ? 'Clinician' : 'Patient'}</label>
        <select id={selectId} name="contact" value={contactId} onChange={(event) => setChosen(event.currentTarget.value)}>
          {people.map((id) => (
            <ContactOption key={id} accountId={id} fallback={isPatient ? 'A clinician' : 'A patient'} />
          ))}
        </select>
      </div>
    </Form>
  );
}

function ContactOption(props: { accountId: string; fallback: string }): JSX.Element {
  return <option value={props.accountId}>{usePersonName(props.accountId, props.fallback)}</option>;
}
