/**
 * Invariants of the Have I Been Pwned range check (ASVS V6.2.12, breached passwords), against
 * a real HTTP server on 127.0.0.1:
 * - k-anonymity: the only thing derived from the password that leaves the process is the first
 *   5 hex characters of its SHA-1 — never the password, the full hash or the suffix — and
 *   padding is requested (`Add-Padding: true`).
 * - Padding entries (count 0) are not breaches.
 * - It fails open and bounded: a slow, broken or hostile answer gives `unknown` (with the
 *   reason) within the configured timeout, never an exception and never a hang.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBreachedPassword, HIBP_PREFIX_LENGTH, passwordSHA1Hex } from './hibp.ts';
import { paddingLines, rangeBody, startRangeServer, type RangeServer } from './test-support/range-server.ts';

const PASSWORD = 'Tr0ub4dor&3 — my very own';
const HASH = createHash('sha1').update(PASSWORD, 'utf8').digest('hex').toUpperCase();
const PREFIX = HASH.slice(0, 5);
const SUFFIX = HASH.slice(5);

let servers: RangeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function server(handler: Parameters<typeof startRangeServer>[0]): Promise<RangeServer> {
  const started = await startRangeServer(handler);
  servers.push(started);
  return started;
}

function config(url: string, timeoutMs = 2000): { url: string; timeoutMs: number } {
  return { url, timeoutMs };
}

describe('SHA-1 of the password (Pwned Passwords are SHA-1 of UTF-8)', () => {
  it('matches the API documentation vector and NFKC-normalizes first', async () => {
    expect(await passwordSHA1Hex('password')).toBe('5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8');
    expect(await passwordSHA1Hex('\uFF50\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44')).toBe('5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8');
    expect(await passwordSHA1Hex(PASSWORD)).toBe(HASH);
  });
});

describe('k-anonymity: only the 5-character prefix leaves the process', () => {
  it('requests GET <url><prefix> with Add-Padding, no body, and nothing else derived from the password', async () => {
    const range = await server((_request, response) => {
      response.end(rangeBody([...paddingLines(400), [SUFFIX, 42], ...paddingLines(400)]));
    });
    await expect(checkBreachedPassword(PASSWORD, config(range.url))).resolves.toEqual({ status: 'breached', count: 42 });

    expect(range.requests).toHaveLength(1);
    const [request] = range.requests;
    expect(request!.method).toBe('GET');
    expect(request!.url).toBe(`/range/${PREFIX}`);
    expect(PREFIX).toHaveLength(HIBP_PREFIX_LENGTH);
    expect(request!.headers['add-padding']).toBe('true');
    expect(request!.body).toHaveLength(0);

    // Everything the server received, as one text.
    const sent = [request!.method, request!.url, ...request!.headerLines, request!.body.toString('latin1')].join('\n');
    for (const secret of [PASSWORD, HASH, SUFFIX, HASH.slice(0, HIBP_PREFIX_LENGTH + 1), encodeURIComponent(PASSWORD)]) {
      expect(sent.toUpperCase()).not.toContain(secret.toUpperCase());
    }
    expect(sent.toLowerCase()).not.toContain(HASH.toLowerCase().slice(0, HIBP_PREFIX_LENGTH + 1));
  });

  it('ignores padding entries (count 0), even one with the password’s own suffix', async () => {
    const range = await server((_request, response) => response.end(rangeBody([...paddingLines(50), [SUFFIX, 0], ...paddingLines(50)])));
    await expect(checkBreachedPassword(PASSWORD, config(range.url))).resolves.toEqual({ status: 'not_found' });
  });

  it('answers not_found when the suffix is absent, and accepts LF-only bodies and a trailing newline', async () => {
    const range = await server((_request, response) =>
      response.end('0018A45C4D1DEF81644B54AB7F969B88D65:1\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2\n'),
    );
    await expect(checkBreachedPassword(PASSWORD, config(range.url))).resolves.toEqual({ status: 'not_found' });
  });
});

describe('fails open with a reason, within the timeout', () => {
  it('returns unknown (timeout) when the server never answers', async () => {
    const range = await server(() => undefined);
    const started = performance.now();
    await expect(checkBreachedPassword(PASSWORD, config(range.url, 150))).resolves.toEqual({ status: 'unknown', reason: 'timeout' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    // Bounded by the timeout (plus scheduling slack on a busy machine), not by the server.
    expect(elapsed).toBeLessThan(150 + 1500);
  });

  it('returns unknown (timeout) when the body stalls after the headers', async () => {
    const range = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write(SUFFIX.slice(0, 10));
    });
    const started = performance.now();
    await expect(checkBreachedPassword(PASSWORD, config(range.url, 150))).resolves.toEqual({ status: 'unknown', reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(150 + 1500);
  });

  it('returns unknown (http_status) on an error status', async () => {
    const range = await server((_request, response) => {
      response.statusCode = 503;
      response.end(rangeBody([[SUFFIX, 7]]));
    });
    await expect(checkBreachedPassword(PASSWORD, config(range.url))).resolves.toEqual({ status: 'unknown', reason: 'http_status' });
  });

  it('returns unknown (malformed_response) when the body is not the range format', async () => {
    const range = await server((_request, response) => response.end('<html><body>captive portal</body></html>'));
    await expect(checkBreachedPassword(PASSWORD, config(range.url))).resolves.toEqual({ status: 'unknown', reason: 'malformed_response' });
  });

  it('returns unknown (response_too_large) instead of buffering an unbounded body', async () => {
    const range = await server((_request, response) => {
      const line = `${'0'.repeat(35)}:0\r\n`;
      response.end(line.repeat(Math.ceil((1.1 * 1024 * 1024) / line.length)));
    });
    await expect(checkBreachedPassword(PASSWORD, config(range.url))).resolves.toEqual({ status: 'unknown', reason: 'response_too_large' });
  });

  it('returns unknown (network) when nothing listens, and does not follow redirects elsewhere', async () => {
    const closed = await startRangeServer(() => undefined);
    await closed.close();
    await expect(checkBreachedPassword(PASSWORD, config(closed.url))).resolves.toEqual({ status: 'unknown', reason: 'network' });

    const elsewhere = await server((_request, response) => response.end(rangeBody([[SUFFIX, 1]])));
    const redirecting = await server((_request, response) => {
      response.writeHead(302, { location: `${elsewhere.url}${PREFIX}` });
      response.end();
    });
    await expect(checkBreachedPassword(PASSWORD, config(redirecting.url))).resolves.toMatchObject({ status: 'unknown' });
    expect(elsewhere.requests).toHaveLength(0);
  });
});
