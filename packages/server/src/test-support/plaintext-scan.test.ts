/** The scanner used by the data-at-rest tests finds a value in every encoding it claims to. */
import { describe, expect, it } from 'vitest';
import { findMarkers } from './plaintext-scan.ts';

const MARKER = 'alice.q7x@example.test';

describe('plaintext scan', () => {
  const embedded = (text: string) => Buffer.from(`{"row":1,"value":"${text}","next":2}`);

  it('finds a marker as text, UTF-16, hex, base64 and base64url at every alignment', () => {
    const forms = [
      embedded(MARKER.toUpperCase()),
      Buffer.concat([Buffer.from('xx'), Buffer.from(MARKER, 'utf16le'), Buffer.from('yy')]),
      Buffer.concat([Buffer.from([0]), Buffer.from(MARKER, 'utf16le').swap16()]),
      embedded(Buffer.from(MARKER).toString('hex').toUpperCase()),
      ...[0, 1, 2].map((pad) => embedded(Buffer.concat([Buffer.alloc(pad, 7), Buffer.from(MARKER), Buffer.from([9])]).toString('base64'))),
      ...[0, 1, 2].map((pad) => embedded(Buffer.concat([Buffer.alloc(pad, 0xfb), Buffer.from(MARKER)]).toString('base64url'))),
    ];
    for (const [i, bytes] of forms.entries()) {
      expect(findMarkers([{ where: `form ${i}`, bytes }], [MARKER]), `form ${i}`).not.toEqual([]);
    }
  });

  it('finds nothing in unrelated bytes or in a sealed value', () => {
    expect(findMarkers([{ where: 'other', bytes: embedded('bob@example.test') }], [MARKER])).toEqual([]);
    expect(findMarkers([{ where: 'sealed', bytes: embedded('pd1.1.3q2-7wJ0a9b8c7d6e5f4g3h2i1j0kLmNoPqRsTuVwXyZ') }], [MARKER])).toEqual([]);
  });
});
