/**
 * @module modules/federation/test-support/test-browser
 *
 * A small browser for the redirect flows: follows redirects, keeps a cookie jar with the rules
 * that matter here, submits forms (the provider's login and consent pages, and the
 * auto-submitting `form_post` page), and stops at the app's return URL. Requests to the
 * Portcullis test host go through `app.inject`; everything else (the test provider on
 * 127.0.0.1) over real sockets with `fetch`.
 *
 * Cookie rules implemented, because the tests depend on them: host-only cookies, `Path`
 * prefixes, `Secure` (sent over https only), `Max-Age`/`Expires`, the `__Host-` prefix
 * requirements, and `SameSite` as browsers apply it — `None` always sent, `Lax` (also the
 * default) only on same-site requests and cross-site top-level GET navigations, `Strict` only
 * same-site. So a cross-site `form_post` (Apple) carries only `SameSite=None` cookies, as in
 * Chrome, Safari and Firefox. POST navigations carry the initiating page's `Origin`.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../../app.ts';
import { TEST_PUBLIC_URL } from '../../../test-support/build-test-app.ts';

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly host: string;
  readonly path: string;
  readonly secure: boolean;
  readonly sameSite: 'strict' | 'lax' | 'none';
  readonly expiresAt: number;
}

export interface PageForm {
  readonly action: string;
  readonly method: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Where the browser stopped: a page (with its forms), or a URL outside the servers it knows (the app's return URL). */
export interface Landing {
  readonly url: URL;
  readonly status: number;
  readonly body: string;
  readonly forms: readonly PageForm[];
  /** True when the browser did not load `url` because it belongs to neither server (an app return URL or custom scheme). */
  readonly external: boolean;
  /** True when `stopBefore` stopped the browser before loading `url`. */
  readonly intercepted?: boolean;
  /** Every request made on the way, for assertions. */
  readonly trail: readonly { readonly method: string; readonly url: string; readonly status: number; readonly cookies: string }[];
}

interface Navigation {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly form?: URLSearchParams;
  /** Origin of the page that started the navigation; undefined for a typed/opened URL. */
  readonly initiator: string | undefined;
}

const APP_HOST = new URL(TEST_PUBLIC_URL).host;
const MAX_HOPS = 20;

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
}

export function parseForms(html: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const [, open = '', inner = ''] = match;
    const fields: Record<string, string> = {};
    for (const input of inner.matchAll(/<input\b[^>]*>/gi)) {
      const name = attribute(input[0], 'name');
      if (name !== undefined) fields[name] = attribute(input[0], 'value') ?? '';
    }
    forms.push({ action: attribute(open, 'action') ?? '', method: (attribute(open, 'method') ?? 'get').toUpperCase(), fields });
  }
  return forms;
}

function site(url: URL): string {
  return `${url.protocol}//${url.hostname}`;
}

export class TestBrowser {
  #cookies: Cookie[] = [];
  #now: () => number;

  /** When set, the browser stops at a provider's auto-submitting form_post page instead of submitting it. */
  stopAtFormPost: boolean;
  /** When it returns true for a navigation, the browser stops before making it (the landing is marked `intercepted`). */
  stopBefore: ((navigation: { readonly method: string; readonly url: URL }) => boolean) | undefined;

  constructor(
    readonly app: App,
    options: { readonly now?: () => number; readonly stopAtFormPost?: boolean } = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.stopAtFormPost = options.stopAtFormPost ?? false;
    this.stopBefore = undefined;
  }

  /** Cookies the jar would send to `url` on a same-site GET (for assertions). */
  cookieNames(url: string): string[] {
    const target = new URL(url);
    return this.#matching(target, { method: 'GET', crossSite: false, topLevel: true }).map((cookie) => cookie.name);
  }

  /** Drops cookies whose name matches (simulates a cookie the browser did not send or lost). */
  forget(name: RegExp): void {
    this.#cookies = this.#cookies.filter((cookie) => !name.test(cookie.name));
  }

  /** Opens a URL as if typed or opened by an app (no initiator). */
  async open(url: string): Promise<Landing> {
    return this.#navigate({ method: 'GET', url: new URL(url), initiator: undefined });
  }

  /** Submits `landing.forms[index]` with its fields overridden by `values`. */
  async submit(landing: Landing, index = 0, values: Record<string, string> = {}): Promise<Landing> {
    const form = landing.forms[index];
    if (!form) throw new Error(`no form ${String(index)} on ${landing.url.href}: ${landing.body.slice(0, 200)}`);
    const url = new URL(form.action, landing.url);
    const body = new URLSearchParams({ ...form.fields, ...values });
    return form.method === 'POST'
      ? this.#navigate({ method: 'POST', url, form: body, initiator: landing.url.origin })
      : this.#navigate({ method: 'GET', url: new URL(`${url.origin}${url.pathname}?${body.toString()}`), initiator: landing.url.origin });
  }

  #matching(url: URL, context: { method: string; crossSite: boolean; topLevel: boolean }): Cookie[] {
    const now = this.#now();
    this.#cookies = this.#cookies.filter((cookie) => cookie.expiresAt > now);
    return this.#cookies.filter((cookie) => {
      if (cookie.host !== url.host) return false;
      if (!(url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`)))
        return false;
      if (cookie.secure && url.protocol !== 'https:') return false;
      if (!context.crossSite) return true;
      if (cookie.sameSite === 'none') return true;
      return cookie.sameSite === 'lax' && context.topLevel && context.method === 'GET';
    });
  }

  #store(url: URL, header: string): void {
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1) || '/';
    let secure = false;
    let sameSite: Cookie['sameSite'] = 'lax';
    let expiresAt = Number.POSITIVE_INFINITY;
    let domain: string | undefined;
    for (const attr of attributes) {
      const [key = '', ...rest] = attr.split('=');
      const val = rest.join('=');
      switch (key.toLowerCase()) {
        case 'path':
          path = val || '/';
          break;
        case 'secure':
          secure = true;
          break;
        case 'samesite':
          sameSite = val.toLowerCase() === 'none' ? 'none' : val.toLowerCase() === 'strict' ? 'strict' : 'lax';
          break;
        case 'max-age':
          expiresAt = this.#now() + Number(val) * 1000;
          break;
        case 'expires':
          if (expiresAt === Number.POSITIVE_INFINITY) expiresAt = Date.parse(val);
          break;
        case 'domain':
          domain = val;
          break;
      }
    }
    // RFC 6265bis: Secure cookies only from secure origins; SameSite=None requires Secure; __Host- rules.
    if (secure && url.protocol !== 'https:') return;
    if (sameSite === 'none' && !secure) return;
    if (name.startsWith('__Host-') && (!secure || path !== '/' || domain !== undefined)) return;
    if (name.startsWith('__Secure-') && !secure) return;
    this.#cookies = this.#cookies.filter((cookie) => !(cookie.name === name && cookie.host === url.host && cookie.path === path));
    this.#cookies.push({ name, value, host: url.host, path, secure, sameSite, expiresAt });
  }

  async #request(
    navigation: Navigation,
  ): Promise<{ status: number; location: string | undefined; setCookies: string[]; body: string; cookieHeader: string }> {
    const { url, method } = navigation;
    const crossSite = navigation.initiator !== undefined && site(new URL(navigation.initiator)) !== site(url);
    const cookieHeader = this.#matching(url, { method, crossSite, topLevel: true })
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
    const headers: Record<string, string> = { accept: 'text/html' };
    if (cookieHeader !== '') headers['cookie'] = cookieHeader;
    if (method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['origin'] = navigation.initiator ?? 'null';
    }
    if (url.host === APP_HOST) {
      const response: LightMyRequestResponse = await this.app.inject({
        method,
        url: `${url.pathname}${url.search}`,
        headers,
        ...(navigation.form ? { payload: navigation.form.toString() } : {}),
      });
      const raw = response.headers['set-cookie'];
      const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const location = response.headers.location;
      return {
        status: response.statusCode,
        location: typeof location === 'string' ? location : undefined,
        setCookies,
        body: response.body,
        cookieHeader,
      };
    }
    const response = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      ...(navigation.form ? { body: navigation.form.toString() } : {}),
    });
    return {
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      setCookies: response.headers.getSetCookie(),
      body: await response.text(),
      cookieHeader,
    };
  }

  #known(url: URL): boolean {
    return (url.protocol === 'https:' && url.host === APP_HOST) || (url.protocol === 'http:' && url.hostname === '127.0.0.1');
  }

  async #navigate(first: Navigation): Promise<Landing> {
    const trail: { method: string; url: string; status: number; cookies: string }[] = [];
    let navigation = first;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      if (!this.#known(navigation.url)) return { url: navigation.url, status: 0, body: '', forms: [], external: true, trail };
      if (hop > 0 && this.stopBefore?.(navigation))
        return { url: navigation.url, status: 0, body: '', forms: [], external: false, intercepted: true, trail };
      const result = await this.#request(navigation);
      trail.push({ method: navigation.method, url: navigation.url.href, status: result.status, cookies: result.cookieHeader });
      for (const header of result.setCookies) this.#store(navigation.url, header);
      if (result.status >= 300 && result.status < 400 && result.location !== undefined) {
        // A redirect keeps the navigation's initiator; 303 (and 302 after POST) become GET.
        navigation = { method: 'GET', url: new URL(result.location, navigation.url), initiator: navigation.initiator };
        continue;
      }
      const forms = parseForms(result.body);
      const [autoSubmit] = forms;
      if (autoSubmit && !this.stopAtFormPost && result.body.includes('document.forms[0].submit()')) {
        // The provider's form_post page submits itself from the provider's origin.
        navigation = {
          method: 'POST',
          url: new URL(autoSubmit.action, navigation.url),
          form: new URLSearchParams(autoSubmit.fields),
          initiator: navigation.url.origin,
        };
        continue;
      }
      return { url: navigation.url, status: result.status, body: result.body, forms, external: false, trail };
    }
    throw new Error('too many redirects');
  }
}
