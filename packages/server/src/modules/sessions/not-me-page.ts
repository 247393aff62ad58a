/**
 * @module modules/sessions/not-me-page
 *
 * The HTML pages of the "this was not me" link (routes.ts): the confirmation page the email's
 * link opens, and the answers to its form. Static text with one value — the link's token, in a
 * hidden field, HTML-escaped — and no script at all. The page's own CSP allows its inline style
 * (by hash) and a form posting to this origin, nothing else; it is never cached and sends no
 * referrer, because its URL holds the token.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../../platform/http/html.ts';
import { NOT_ME_PATH } from './device-notices.ts';

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}button{font:inherit;padding:.6rem 1rem;cursor:pointer}';
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** The headers every one of these pages is sent with. */
export const NOT_ME_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
});

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

const PASSWORD_ADVICE =
  'Someone else may know your password. If you use one, change it now with “Forgot password” in the app, then review your signed-in devices and sign out any you do not recognise.';

/**
 * What the email's link opens. Nothing happens until the button is pressed: mail scanners and
 * link previews fetch links by themselves, and must not sign anyone out.
 */
export function confirmPage(token: string): string {
  return page(
    'Was this sign-in not you?',
    `<p>A new device signed in to your account, and we emailed you about it. If it was not you, sign that device out now. Nothing happens until you press the button.</p>
<form method="post" action="${NOT_ME_PATH}">
<input type="hidden" name="t" value="${escapeHtml(token)}">
<button type="submit">This was not me — sign that device out</button>
</form>
<p>If it was you, close this page.</p>`,
  );
}

/** The answer once the device is signed out. */
export function signedOutPage(): string {
  return page(
    'That device is signed out',
    `<p>The device from the email is signed out. Before a password works on it again, whoever holds it must enter a code sent to your email address.</p>
<p>${escapeHtml(PASSWORD_ADVICE)}</p>`,
  );
}

/** The answer to a link that is unknown, expired or already used. */
export function invalidLinkPage(): string {
  return page(
    'This link is not valid any more',
    `<p>The link may have expired, or it was already used: it works once.</p>
<p>If a device you do not recognise may still be signed in, sign in to the app, review your signed-in devices and sign out the ones you do not recognise. If you use a password, change it with “Forgot password”.</p>`,
  );
}
