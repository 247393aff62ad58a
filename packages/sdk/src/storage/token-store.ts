/**
 * @module storage/token-store
 *
 * Where the session's tokens live between calls. The client reads the store before every
 * authenticated request and writes it after sign-in and every refresh, so the store is the
 * single source of truth (two clients sharing one store see each other's refreshes).
 *
 * Choosing an adapter:
 * - Web apps must not keep tokens in `localStorage` or `sessionStorage`: any script on the
 *   origin (one XSS, one compromised dependency) can read them, and they persist in plain text
 *   on disk. Keep them in memory ({@link MemoryTokenStore}), or in IndexedDB next to the
 *   non-extractable DPoP key (`IndexedDbSessionStore`), which makes a stolen token useless
 *   without the key.
 * - React Native apps use a secure-store adapter backed by the iOS Keychain / Android Keystore
 *   (e.g. over `expo-secure-store` or `react-native-keychain`); it implements {@link TokenStore}
 *   and is not part of the SDK yet.
 *
 * Stored values are plain JSON-compatible objects, so adapters can serialise them as they are.
 */
import type { TokenResponse } from '@portcullis/protocol';

type SessionRestriction = NonNullable<TokenResponse['restriction']>;

/** The session as the SDK keeps it. Times are absolute (ms since the epoch), not relative. */
export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly sessionId: string;
  /** Assurance level of the session (`aal1`, `aal2`, `aal2_phr`). */
  readonly aal: string;
  /** When the access token expires, by the client's clock at the time it was requested. */
  readonly accessTokenExpiresAt: number;
  /** When the refresh token expires if unused (idle timeout), by the client's clock. */
  readonly refreshTokenExpiresAt: number;
  /** Set for a session that can only change the password or enrol a factor (see `SessionInfo.restriction`). */
  readonly restriction?: SessionRestriction | undefined;
}

/**
 * Storage port for the session's tokens.
 *
 * `load` resolves `null` when there is no session. Implementations must not log the values.
 *
 * @example
 *   // A React Native adapter over expo-secure-store:
 *   const tokenStore: TokenStore = {
 *     async load() {
 *       const json = await SecureStore.getItemAsync('portcullis.tokens');
 *       return json === null ? null : (JSON.parse(json) as StoredTokens);
 *     },
 *     save: (tokens) => SecureStore.setItemAsync('portcullis.tokens', JSON.stringify(tokens)),
 *     clear: () => SecureStore.deleteItemAsync('portcullis.tokens'),
 *   };
 */
export interface TokenStore {
  load(): Promise<StoredTokens | null>;
  save(tokens: StoredTokens): Promise<void>;
  clear(): Promise<void>;
}

/**
 * Keeps tokens in memory only: the session ends when the page reloads or the process exits.
 * The safest choice for web apps that can afford signing in again after a reload.
 *
 * @example
 *   const client = new PortcullisClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
 */
export class MemoryTokenStore implements TokenStore {
  #tokens: StoredTokens | null = null;

  async load(): Promise<StoredTokens | null> {
    return this.#tokens;
  }

  async save(tokens: StoredTokens): Promise<void> {
    // A frozen copy: later changes to the caller's object cannot alter the stored session.
    this.#tokens = Object.freeze({ ...tokens });
  }

  async clear(): Promise<void> {
    this.#tokens = null;
  }
}
