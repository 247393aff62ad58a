/**
 * @module core/session-info
 *
 * The session as the app sees it ({@link SessionInfo}: everything but the tokens) and the
 * conversions between the token endpoint's answer, the stored form and that view. Internal,
 * except the `SessionInfo` type.
 */
import type { TokenResponse } from '@portcullis/protocol';

/** Why a session is restricted and what it may set up (the token response's `restriction`). */
export type SessionRestriction = NonNullable<TokenResponse['restriction']>;
import type { StoredTokens } from '../storage/token-store.ts';

/** The current session as the app may see it: everything but the tokens themselves. */
export interface SessionInfo {
  readonly sessionId: string;
  /** Assurance level: `aal1`, `aal2` or `aal2_phr`. */
  readonly aal: string;
  /** When the access token expires (the client refreshes it before then). */
  readonly accessTokenExpiresAt: Date;
  /** When the session ends unless it is used (refresh idle timeout). */
  readonly refreshTokenExpiresAt: Date;
  /**
   * Set when the session can do one thing only. `password_breached`: the password appears in a
   * data breach; tell the person, have them change it (`changePassword`) and sign in again.
   * `second_factor_required` / `passkey_required`: enrol what `allows` lists first.
   */
  readonly restriction?: SessionRestriction;
}

export function isStoredTokens(value: unknown): value is StoredTokens {
  if (typeof value !== 'object' || value === null) return false;
  const tokens = value as Partial<Record<keyof StoredTokens, unknown>>;
  return (
    typeof tokens.accessToken === 'string' &&
    typeof tokens.refreshToken === 'string' &&
    typeof tokens.sessionId === 'string' &&
    typeof tokens.aal === 'string' &&
    typeof tokens.accessTokenExpiresAt === 'number' &&
    typeof tokens.refreshTokenExpiresAt === 'number'
  );
}

export function sessionInfoOf(tokens: StoredTokens): SessionInfo {
  return Object.freeze({
    sessionId: tokens.sessionId,
    aal: tokens.aal,
    accessTokenExpiresAt: new Date(tokens.accessTokenExpiresAt),
    refreshTokenExpiresAt: new Date(tokens.refreshTokenExpiresAt),
    ...(tokens.restriction === undefined ? {} : { restriction: tokens.restriction }),
  });
}

/**
 * Lifetimes are counted from when the request was sent, not when the answer arrived: the
 * server started the clock no earlier than that, so the client never believes a token lives
 * longer than it does.
 */
export function storedTokensOf(response: TokenResponse, sentAt: number): StoredTokens {
  return {
    accessToken: response.accessToken,
    refreshToken: response.refreshToken,
    sessionId: response.sessionId,
    aal: response.aal,
    accessTokenExpiresAt: sentAt + response.expiresIn * 1000,
    refreshTokenExpiresAt: sentAt + response.refreshExpiresIn * 1000,
    ...(response.restriction === undefined ? {} : { restriction: response.restriction }),
  };
}
