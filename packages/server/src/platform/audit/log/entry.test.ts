/**
 * Audit entry encoding: canonical JSON in the manner of RFC 8785 (sorted keys by UTF-16 code
 * units, no whitespace, ECMAScript string escaping), and the fast fixed-key encoder used on the
 * append and verification paths gives exactly the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJSON } from './canonical-json.ts';
import { encodeEntry, encodeRow, entryFromRow, isoTime, type AuditEventRow } from './entry.ts';

const row: AuditEventRow = {
  occurred_at: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  action: 'session.created',
  outcome: 'success',
  actor_id: 'acct_1',
  subject_id: null,
  session_id: 'sess_1',
  request_id: 'req_1',
  ip_prefix: '2001:db8::/48',
  reason: null,
};

describe('canonical JSON (RFC 8785 style)', () => {
  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Compared as text: JSON.parse would move the integer-like key "1" first again.
    expect(canonicalJSON(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
        '"\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('writes no whitespace, escapes as ECMAScript does, nests, and refuses non-finite numbers', () => {
    expect(canonicalJSON({ b: [1, true, null], a: { d: 'x"\n\u0001', c: -0.5 } })).toBe(
      '{"a":{"c":-0.5,"d":"x\\"\\n\\u0001"},"b":[1,true,null]}',
    );
    expect(() => canonicalJSON(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJSON({ a: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });
});

describe('audit entry encoding (format version 1)', () => {
  it('formats times exactly as Date#toISOString, in UTC with milliseconds', () => {
    const samples = [
      0,
      1,
      999,
      1000,
      59_999,
      -1,
      -1001,
      Date.UTC(2026, 10, 24, 5, 8, 0, 7),
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      8.64e15,
      -8.64e15,
    ];
    for (let n = 0; n < 2000; n += 1) samples.push(Math.floor(Math.random() * 4e12) - 1e12);
    for (const ms of samples) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('encodes a stored event as its canonical entry', () => {
    expect(encodeEntry(entryFromRow(row))).toBe(
      '{"action":"session.created","actor":"acct_1","ipPrefix":"2001:db8::/48","outcome":"success","reason":null,' +
        '"requestId":"req_1","session":"sess_1","subject":null,"time":"2026-01-02T03:04:05.006Z"}',
    );
  });

  it('gives exactly the bytes of the general canonical encoder for awkward values', () => {
    const values = [
      null,
      '',
      'plain',
      'quote " backslash \\ slash /',
      'line\nbreak\ttab\u0000nul',
      'é ü 漢字 😀',
      '\u2028\u2029',
      '\ud800',
    ];
    for (const value of values) {
      const entry = entryFromRow({ ...row, actor_id: value, subject_id: value, reason: value, ip_prefix: value });
      expect(encodeEntry(entry), JSON.stringify(value)).toBe(canonicalJSON({ ...entry }));
      expect(encodeRow({ ...row, actor_id: value, subject_id: value, reason: value, ip_prefix: value })).toBe(encodeEntry(entry));
    }
  });
});
