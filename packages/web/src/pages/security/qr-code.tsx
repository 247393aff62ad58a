/**
 * @module pages/security/qr-code
 *
 * The authenticator app's key URI as a QR code, drawn as JSX: one `<path>` holding the dark
 * modules, so no markup string ever reaches the DOM (the CSP's Trusted Types forbid
 * `innerHTML`, and the server's SVG document would need it). Loaded on first use: the sign-in
 * page does not carry the QR encoder.
 */
import type { JSX } from 'preact';
import { encode } from 'uqr';
import { qrPath } from './qr-path.ts';

/** The quiet zone the QR specification asks for around the code, in modules. */
const QUIET_ZONE = 4;

export function QrCode(props: { text: string; label: string }): JSX.Element {
  const { data } = encode(props.text, { ecc: 'M', border: QUIET_ZONE });
  const size = data.length;
  return (
    <svg
      class="qr-code"
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${size} ${size}`}
      width="240"
      height="240"
      shape-rendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={qrPath(data)} fill="#000" />
    </svg>
  );
}
