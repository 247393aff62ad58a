/**
 * @module pages/security/lazy-qr-code
 *
 * The QR code loads its encoder on first use: only people setting up an authenticator app need it.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from '../../ui/page.tsx';

type View = (props: { text: string; label: string }) => JSX.Element;

let loaded: View | undefined;

export function QrCode(props: { text: string; label: string }): JSX.Element {
  const [View, setView] = useState<View | undefined>(() => loaded);
  useEffect(() => {
    if (View) return;
    void import('./qr-code.tsx').then((module) => {
      loaded = module.QrCode;
      setView(() => loaded);
    });
  }, [View]);
  return View ? <View text={props.text} label={props.label} /> : <Loading what="the QR code" />;
}
