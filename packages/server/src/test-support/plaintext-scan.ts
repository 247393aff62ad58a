/**
 * @module test-support/plaintext-scan
 *
 * Looks for known values in raw bytes the way someone holding a copy of the storage would:
 * as UTF-8 text, UTF-16 (both byte orders), base64 and base64url (at each of the three byte
 * alignments a value can start at inside a longer encoded string), and hex (both cases).
 * Comparisons ignore ASCII case, since addresses are stored normalised.
 */

export interface Finding {
  readonly marker: string;
  readonly where: string;
  readonly encoding: string;
}

/** The stable middle of `value`'s base64 when it starts `offset` bytes into a longer buffer. */
function base64Cores(value: Buffer, offset: number): { base64: string; base64url: string } {
  const padded = Buffer.concat([Buffer.alloc(offset), value]);
  const encoded = padded.toString('base64').replace(/=+$/, '');
  // Characters that depend on the unknown bytes before and after are cut from both ends.
  const start = Math.ceil((offset * 8) / 6);
  const end = Math.floor((padded.length * 8) / 6);
  const core = encoded.slice(start, end);
  return { base64: core, base64url: core.replaceAll('+', '-').replaceAll('/', '_') };
}

/** Every form in which `marker` might sit in a file, labelled. */
export function encodingsOf(marker: string): { encoding: string; needle: Buffer }[] {
  const bytes = Buffer.from(marker, 'utf8');
  const forms: { encoding: string; needle: Buffer }[] = [
    { encoding: 'utf-8', needle: bytes },
    { encoding: 'utf-16le', needle: Buffer.from(marker, 'utf16le') },
    { encoding: 'utf-16be', needle: Buffer.from(marker, 'utf16le').swap16() },
    { encoding: 'hex', needle: Buffer.from(bytes.toString('hex')) },
  ];
  for (const offset of [0, 1, 2]) {
    const { base64, base64url } = base64Cores(bytes, offset);
    forms.push({ encoding: `base64+${offset}`, needle: Buffer.from(base64) });
    if (base64url !== base64) forms.push({ encoding: `base64url+${offset}`, needle: Buffer.from(base64url) });
  }
  return forms;
}

function lowerAscii(buffer: Buffer): Buffer {
  const copy = Buffer.from(buffer);
  for (let i = 0; i < copy.length; i++) {
    const byte = copy[i]!;
    if (byte >= 0x41 && byte <= 0x5a) copy[i] = byte + 0x20;
  }
  return copy;
}

/**
 * Every marker found in any of `sources` in any encoding. Base64 is case-sensitive, so it is
 * searched as is; text and hex forms are searched case-insensitively.
 */
export function findMarkers(sources: readonly { where: string; bytes: Buffer }[], markers: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const searches = markers.flatMap((marker) => encodingsOf(marker).map((form) => ({ marker, ...form })));
  for (const source of sources) {
    const lowered = lowerAscii(source.bytes);
    for (const { marker, encoding, needle } of searches) {
      const caseless = !encoding.startsWith('base64');
      const found = caseless ? lowered.includes(lowerAscii(needle)) : source.bytes.includes(needle);
      if (found) findings.push({ marker, where: source.where, encoding });
    }
  }
  return findings;
}
