/**
 * @module client
 *
 * The app's one Portcullis client. The API is on the page's own origin (the server serves the
 * app at `/`), and the session lives in IndexedDB: the DPoP key as a non-extractable CryptoKey
 * and the tokens beside it, never in localStorage.
 */
import { IndexedDbSessionStore, PortcullisClient, type Device } from '@portcullis/sdk';

const session = new IndexedDbSessionStore({ databaseName: 'portcullis-web-session' });

export const client = new PortcullisClient({
  baseUrl: location.origin,
  tokenStore: session.tokenStore,
  keyStore: session.keyStore,
});

/** How this browser names itself in the person's device and session list. */
export const thisDevice: Device = { label: browserLabel(), platform: 'web' };

function browserLabel(): string {
  const agent = navigator.userAgent;
  const browser = /Edg\//.test(agent)
    ? 'Edge'
    : /Chrome\//.test(agent)
      ? 'Chrome'
      : /Firefox\//.test(agent)
        ? 'Firefox'
        : /Safari\//.test(agent)
          ? 'Safari'
          : 'Browser';
  const system = /Android/.test(agent)
    ? 'Android'
    : /iPhone|iPad/.test(agent)
      ? 'iOS'
      : /Mac OS X/.test(agent)
        ? 'macOS'
        : /Windows/.test(agent)
          ? 'Windows'
          : /Linux/.test(agent)
            ? 'Linux'
            : '';
  return system ? `${browser} on ${system}` : browser;
}
