/**
 * The message of a `NETWORK_ERROR` names the URL (without its query, which may hold search
 * terms) and the innermost platform reason with its code. The real failures (an untrusted
 * certificate, a refused connection) are in packages/server/src/sdk-network-errors.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { networkFailureMessage } from './network-failure.ts';

const URL_WITH_QUERY = new URL('https://auth.example.com/v1/admin/accounts?email=ada%40example.com');

describe('networkFailureMessage', () => {
  it('names the innermost cause and its code, and not the query', () => {
    const cause = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const message = networkFailureMessage(URL_WITH_QUERY, new TypeError('fetch failed', { cause }));
    expect(message).toBe(
      'The request to https://auth.example.com/v1/admin/accounts failed: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    );
    expect(message).not.toContain('ada');
  });

  it('falls back to the code, the message, or "unknown reason"', () => {
    const refused = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    expect(networkFailureMessage(URL_WITH_QUERY, new TypeError('fetch failed', { cause: refused }))).toMatch(/failed: ECONNREFUSED$/);
    expect(networkFailureMessage(URL_WITH_QUERY, new TypeError('Failed to fetch'))).toMatch(/failed: Failed to fetch$/);
    expect(networkFailureMessage(URL_WITH_QUERY, undefined)).toMatch(/failed: unknown reason$/);
  });

  it('does not repeat a code the message already names, and bounds a long reason', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8443'), { code: 'ECONNREFUSED' });
    expect(networkFailureMessage(URL_WITH_QUERY, cause)).toMatch(/failed: connect ECONNREFUSED 127\.0\.0\.1:8443$/);
    expect(networkFailureMessage(URL_WITH_QUERY, new Error('x'.repeat(1000))).length).toBeLessThan(320);
  });
});
