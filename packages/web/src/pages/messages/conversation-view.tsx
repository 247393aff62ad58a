/**
 * @module pages/messages/conversation-view
 *
 * One conversation: who is in it and whether their safety number was compared, the messages
 * this browser holds (mine on one side, theirs on the other, each with sender and time, as
 * text), and the composer. Messages from before this browser joined are explained, not shown
 * as failures: MLS encrypted them for the devices in the conversation then.
 */
import type { JSX } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { ContactStatus } from '@portcullis/sdk/messaging';
import { when } from '../../ui/care-entries.tsx';
import { usePersonName } from '../../ui/care-people.tsx';
import { Form } from '../../ui/form.tsx';
import { Section } from '../../ui/page.tsx';
import { VisibilityLabel } from '../../ui/visibility.tsx';
import { readHistory, type HistoryItem } from './conversation-history.ts';
import { useFocusHeading } from './focus-heading.ts';
import type { MessagingDevice } from './messaging-device.ts';

const STATUS_WORDS: Record<ContactStatus, string> = {
  unverified: 'Safety number not compared yet',
  verified: 'Safety number compared ✓',
  changed: 'Security key changed: compare the safety number again',
};

export function ConversationView(props: {
  device: MessagingDevice;
  groupId: string;
  others: readonly string[];
  /** Changes whenever something arrived: the history is read again. */
  version: number;
  onSafetyNumber: (accountId: string) => void;
}): JSX.Element {
  const { device, groupId } = props;
  const [items, setItems] = useState<HistoryItem[] | undefined>();
  const [sent, setSent] = useState(0);
  const title = usePersonName(props.others[0], 'Nobody else yet');
  useFocusHeading('conversation', groupId);
  useEffect(() => {
    let live = true;
    void readHistory(device.store, groupId).then((found) => {
      if (live) setItems(found);
    });
    return () => {
      live = false;
    };
  }, [device, groupId, props.version, sent]);
  return (
    <Section title={`Conversation with ${props.others.length > 1 ? `${title} and others` : title}`} id="conversation">
      <p class="e2ee">
        <span aria-hidden="true">🔒</span> End-to-end encrypted. Only the people below can read these messages.
      </p>
      {props.others.length === 0 ? <p class="muted">Nobody else is in this conversation yet.</p> : null}
      <ul class="list" aria-label="People in this conversation">
        {props.others.map((accountId) => (
          <Member key={accountId} device={device} accountId={accountId} version={props.version} onSafetyNumber={props.onSafetyNumber} />
        ))}
      </ul>
      <p class="muted">
        Messages sent before this browser joined the conversation are not shown here: they were encrypted only for the devices in it at the
        time. Read them on the device where you received them.
      </p>
      <MessageList items={items} me={device.accountId} />
      <Composer
        toWhom={title}
        send={async (text) => {
          await device.sendText(groupId, text);
          setSent((n) => n + 1);
        }}
      />
    </Section>
  );
}

function Member(props: { device: MessagingDevice; accountId: string; version: number; onSafetyNumber: (id: string) => void }): JSX.Element {
  const name = usePersonName(props.accountId);
  const [status, setStatus] = useState<ContactStatus | undefined>();
  useEffect(() => {
    void props.device.engine.contactStatus(props.accountId).then(setStatus, () => undefined);
  }, [props.device, props.accountId, props.version]);
  return (
    <li>
      <span>
        <strong>{name}</strong> <VisibilityLabel classification="public" />
        {status ? <span class={`muted contact-${status}`}> · {STATUS_WORDS[status]}</span> : null}
      </span>
      <button type="button" class="button" onClick={() => props.onSafetyNumber(props.accountId)}>
        Safety number<span class="visually-hidden"> with {name}</span>
      </button>
    </li>
  );
}

function MessageList(props: { items: HistoryItem[] | undefined; me: string }): JSX.Element {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [props.items?.length]);
  if (!props.items) return <p class="muted">Opening the messages…</p>;
  if (props.items.length === 0) return <p class="muted">No messages in this browser yet. Write the first one below.</p>;
  return (
    <ol class="messages" aria-label="Messages, oldest first" ref={list}>
      {props.items.map((item) => (
        <MessageBubble key={item.id} item={item} mine={item.senderAccountId === props.me} />
      ))}
    </ol>
  );
}

function MessageBubble(props: { item: HistoryItem; mine: boolean }): JSX.Element {
  const { item } = props;
  const sender = usePersonName(item.senderAccountId);
  return (
    <li class={props.mine ? 'bubble mine' : 'bubble'}>
      <p class="bubble-meta">
        <strong>{props.mine ? 'You' : sender}</strong> · <time dateTime={item.sentAt}>{when(item.sentAt)}</time>
      </p>
      {item.kind === 'attachment' ? (
        <p class="muted">Sent a file, {item.text}. Files open in the mobile app.</p>
      ) : (
        <p class="bubble-text">{item.text}</p>
      )}
    </li>
  );
}

function Composer(props: { toWhom: string; send: (text: string) => Promise<void> }): JSX.Element {
  const id = useId();
  const [text, setText] = useState('');
  return (
    <Form
      submit="Send"
      label="Write a message"
      action={async () => {
        const message = text.trim();
        if (!message) return;
        await props.send(message);
        setText('');
      }}
    >
      <div class="field">
        <label for={id}>Message</label>
        <p class="hint" id={`${id}-hint`}>
          To {props.toWhom}. Encrypted on this device before it is sent.
        </p>
        <textarea
          id={id}
          name="message"
          rows={3}
          maxLength={4000}
          aria-describedby={`${id}-hint`}
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
        />
      </div>
    </Form>
  );
}
