/**
 * @module modules/federation/web/browser-binding
 *
 * Binds a web sign-in to the browser that started it (ASVS V10.1.2). `start` sets a cookie with
 * a fresh random value and stores only its SHA-256 in the flow row; the callback accepts the
 * provider's answer only from a browser presenting that value. A `state` stolen or injected
 * into another browser (login CSRF, a phished callback URL) is therefore useless.
 *
 * Cookie attributes, and why:
 * - `__Host-` prefix, `Path=/`, no `Domain`, `Secure`: only this exact host over HTTPS can set
 *   or read it, so a sibling subdomain cannot plant a value ("cookie tossing"). `__Host-`
 *   requires `Path=/`; a narrower path would not be a security boundary anyway.
 * - `HttpOnly`: no script needs it.
 * - `SameSite=Lax` for providers that return with a top-level GET (`response_mode=query`): the
 *   cookie rides along on that navigation and on nothing cross-site that could change state.
 * - `SameSite=None` for `response_mode=form_post` (Sign in with Apple): the provider's page
 *   POSTs cross-site to the callback, and browsers do not send Lax cookies on cross-site POSTs.
 *   This does not reopen CSRF: the cookie authenticates nothing by itself; it only has to match
 *   the flow named by a single-use, unguessable `state`, and an attacker can neither read the
 *   victim's cookie nor make the victim's browser present the attacker's.
 * - `Max-Age` = the flow lifetime; the callback clears it whatever the outcome.
 */
import { randomBase64Url } from '../../../platform/crypto/index.ts';
import { sha256Base64Url } from '../digest.ts';

export type BindingSameSite = 'Lax' | 'None';

export function bindingCookieName(providerId: string): string {
  return `__Host-portcullis-federation-${providerId}`;
}

export function newBindingValue(): { readonly value: string; readonly hash: string } {
  const value = randomBase64Url(32);
  return { value, hash: sha256Base64Url(value) };
}

export function bindingHash(value: string): string {
  return sha256Base64Url(value);
}

export function setBindingCookie(providerId: string, value: string, options: { sameSite: BindingSameSite; maxAgeSeconds: number }): string {
  return `${bindingCookieName(providerId)}=${value}; Path=/; Max-Age=${options.maxAgeSeconds}; Secure; HttpOnly; SameSite=${options.sameSite}`;
}

export function clearBindingCookie(providerId: string, sameSite: BindingSameSite): string {
  return `${bindingCookieName(providerId)}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=${sameSite}`;
}

/**
 * The binding value from a `Cookie` header, or `undefined` when it is absent, malformed or sent
 * more than once (two values mean someone else planted one; neither is trusted).
 */
export function readBindingCookie(header: string | undefined, providerId: string): string | undefined {
  if (header === undefined) return undefined;
  const name = bindingCookieName(providerId);
  const values = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  const [value] = values;
  return values.length === 1 && value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}
