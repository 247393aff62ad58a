/**
 * @module pages/messages/lazy-messages-page
 *
 * Messages load their code on first use: MLS (ts-mls and its cipher suites) is most of the
 * app's weight, and the sign-in page must not pay for it.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from '../../ui/page.tsx';

type View = (props: { params: Record<string, string> }) => JSX.Element;

let loaded: View | undefined;

export function MessagesPage(props: { params: Record<string, string> }): JSX.Element {
  const [View, setView] = useState<View | undefined>(() => loaded);
  useEffect(() => {
    if (View) return;
    void import('./messages-page.tsx').then((module) => {
      loaded = module.MessagesPage;
      setView(() => loaded);
    });
  }, [View]);
  return View ? <View params={props.params} /> : <Loading what="messages" />;
}
