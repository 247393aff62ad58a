/**
 * @module pages/messages/messages-page
 *
 * Messages, end-to-end encrypted with MLS. On first open this browser becomes a messaging device
 * of the account; the page lists its conversations, starts one with a person of the care
 * relation (a clinician the patient gave access, or a patient who gave the clinician access),
 * shows and sends messages, receives new ones live while it is open, shows the safety number of
 * each contact to compare in person, and warns — as an alert — when a contact's key changes.
 *
 * Loaded on first use (lazy-messages-page.tsx): the MLS library is most of the app's weight.
 */
import type { JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { IncomingResult } from '@portcullis/sdk/messaging';
import { startLiveDelivery } from '@portcullis/sdk/messaging';
import { client } from '../../client.ts';
import { rolesOf, useSession } from '../../session.tsx';
import { usePersonName } from '../../ui/care-people.tsx';
import { ActionButton } from '../../ui/form.tsx';
import { Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { problemWords } from '../../ui/problem.ts';
import { clearKeyWarning, readKeyWarnings, type KeyWarning } from './conversation-history.ts';
import { ConversationView } from './conversation-view.tsx';
import { ConversationList, StartConversation, type Conversation } from './conversation-list.tsx';
import { messagingDevice, type MessagingDevice } from './messaging-device.ts';
import { SafetyNumberView } from './safety-number-view.tsx';

type Live = 'connecting' | 'live' | 'stopped';

/** Entries refused because they belong to a time before this device was in the conversation. */
const BEFORE_JOINING: ReadonlySet<string> = new Set(['UNKNOWN_CONVERSATION', 'STALE_EPOCH']);

export function MessagesPage(): JSX.Element {
  const { current } = useSession();
  const accountId = current?.account.id ?? '';
  const sessionId = current?.session.sessionId ?? '';
  const [device, setDevice] = useState<MessagingDevice | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [conversations, setConversations] = useState<Conversation[] | undefined>();
  const [warnings, setWarnings] = useState<KeyWarning[]>([]);
  const [open, setOpen] = useState<{ groupId: string; safetyWith?: string } | undefined>();
  const [version, setVersion] = useState(0);
  const [live, setLive] = useState<Live>('connecting');
  const [rejected, setRejected] = useState<'earlier' | 'refused' | undefined>();

  const refresh = useCallback(async (on: MessagingDevice) => {
    const groupIds = await on.engine.conversations();
    const listed = await Promise.all(
      groupIds.map(async (groupId) => {
        const members = await on.engine.members(groupId).catch(() => []);
        const others = [...new Set(members.map((m) => m.accountId).filter((id) => id !== on.accountId))];
        return { groupId, others };
      }),
    );
    setConversations(listed);
    setWarnings(await readKeyWarnings(on.store));
    setVersion((v) => v + 1);
  }, []);

  useEffect(() => {
    if (!accountId) return;
    // Whether the view closed while the device was still opening (read after awaits).
    const view = { closed: false };
    const isClosed = () => view.closed;
    let stop: (() => void) | undefined;
    void messagingDevice(accountId, sessionId)
      .then(async (opened) => {
        if (isClosed()) return;
        const unlisten = opened.listen({
          onMessage: () => setVersion((v) => v + 1),
          onKeyChange: () => void refresh(opened),
          onRejected: (rejection) => setRejected(BEFORE_JOINING.has(rejection.error.code) ? 'earlier' : 'refused'),
        });
        setDevice(opened);
        // What arrived while the page was closed, this account's other devices, and key upkeep.
        await opened.engine.receive().catch(() => undefined);
        await opened.engine.syncDevices().catch(() => undefined);
        await opened.engine.maintain().catch(() => undefined);
        await refresh(opened);
        const subscription = startLiveDelivery(client, opened.engine, {
          onReceived: (results: readonly IncomingResult[]) => {
            if (results.some((r) => r.kind !== 'message')) void refresh(opened);
          },
          onEnd: () => setLive('stopped'),
        });
        setLive('live');
        stop = () => {
          unlisten();
          subscription.close();
        };
        if (isClosed()) stop();
      })
      .catch((error: unknown) => setFailure(problemWords(error)));
    return () => {
      view.closed = true;
      stop?.();
    };
  }, [accountId, sessionId, refresh]);

  const isPatient = current ? rolesOf(current.account).includes('patient') : false;
  return (
    <Page
      title="Messages"
      lead="End-to-end encrypted: only you and the people in a conversation can read its messages. The clinic and its server cannot."
    >
      {failure ? (
        <Notice kind="error">Messages could not be set up in this browser. {failure}</Notice>
      ) : !device || !conversations ? (
        <Loading what="your encrypted messages (the first time, this browser is set up as a messaging device)" />
      ) : (
        <>
          {warnings.map((warning) => (
            <KeyChangeWarning
              key={warning.accountId}
              warning={warning}
              onCompare={() => setOpen({ groupId: warning.groupId, safetyWith: warning.accountId })}
            />
          ))}
          {rejected === 'refused' ? (
            <Notice kind="warning">
              A message could not be opened and was discarded: it may have been changed on the way. Ask the sender to send it again.
            </Notice>
          ) : null}
          {rejected === 'earlier' ? (
            <Notice kind="info">
              Some messages were sent before this browser joined a conversation. They were encrypted only for the devices in it then, so
              they cannot be shown here. Read them on the device where you received them.
            </Notice>
          ) : null}
          <LiveStatus live={live} onCheck={() => device.engine.receive().then(() => refresh(device))} />
          <Section title="Conversations">
            <ConversationList conversations={conversations} openGroupId={open?.groupId} onOpen={(groupId) => setOpen({ groupId })} />
          </Section>
          {open?.safetyWith ? (
            <SafetyNumberView
              device={device}
              groupId={open.groupId}
              contactId={open.safetyWith}
              onVerified={async () => {
                await clearKeyWarning(device.store, open.safetyWith ?? '');
                await refresh(device);
              }}
              onClose={() => setOpen({ groupId: open.groupId })}
            />
          ) : open ? (
            <ConversationView
              device={device}
              groupId={open.groupId}
              others={conversations.find((c) => c.groupId === open.groupId)?.others ?? []}
              version={version}
              onSafetyNumber={(contactId) => setOpen({ groupId: open.groupId, safetyWith: contactId })}
            />
          ) : null}
          <Section title="Start a conversation">
            <StartConversation
              device={device}
              isPatient={isPatient}
              conversations={conversations}
              onStarted={async (groupId) => {
                await refresh(device);
                setOpen({ groupId });
              }}
            />
          </Section>
        </>
      )}
    </Page>
  );
}

function LiveStatus(props: { live: Live; onCheck: () => Promise<unknown> }): JSX.Element {
  if (props.live === 'live') return <p class="muted live-status">New messages appear here as they arrive.</p>;
  return (
    <p class="muted live-status">
      {props.live === 'connecting' ? 'Connecting for new messages…' : 'New messages no longer arrive by themselves.'}{' '}
      <ActionButton label="Check for new messages" action={props.onCheck} />
    </p>
  );
}

function KeyChangeWarning(props: { warning: KeyWarning; onCompare: () => void }): JSX.Element {
  const name = usePersonName(props.warning.accountId, 'A contact');
  return (
    <Notice kind="warning">
      <p>
        <strong>The security key of {name} changed.</strong> This happens when they use a new device, but it can also mean that someone is
        trying to read your messages. Compare your safety number with {name} again, in person, before you send anything private.
      </p>
      <button type="button" class="button" onClick={props.onCompare}>
        Compare safety number with {name}
      </button>
    </Notice>
  );
}
