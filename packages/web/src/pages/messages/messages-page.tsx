/**
 * @module pages/messages/messages-page
 *
 * Messages: not built yet.
 */
import type { JSX } from 'preact';
import { Page } from '../../ui/page.tsx';

export function MessagesPage(): JSX.Element {
  return <Page title="Messages" lead="End-to-end encrypted conversations." />;
}
