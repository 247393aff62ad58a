import { describe, expect, it } from 'vitest';
import { encode } from 'uqr';
import { qrPath } from './security/qr-path.ts';
import { fieldOrder, fieldWords } from './privacy/profile-fields.ts';

/** Paints the path's `M x y h w v1 h-w z` rectangles back onto a grid. */
function paint(path: string, size: number): boolean[][] {
  const grid = Array.from({ length: size }, () => Array.from({ length: size }, () => false));
  for (const [, x, y, width] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let column = Number(x); column < Number(x) + Number(width); column += 1) grid[Number(y)]![column] = true;
  }
  return grid;
}

describe('the authenticator QR code', () => {
  it('draws exactly the dark modules of the encoded key URI, one rectangle per run', () => {
    const { data } = encode('otpauth://totp/Portcullis:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Portcullis', {
      ecc: 'M',
      border: 4,
    });
    const path = qrPath(data);
    expect(path).toMatch(/^(M\d+ \d+h\d+v1h-\d+z)+$/);
    expect(paint(path, data.length)).toEqual(data);
  });

  it('draws nothing for an all-light grid', () => {
    expect(
      qrPath([
        [false, false],
        [false, false],
      ]),
    ).toBe('');
  });
});

describe('profile field words', () => {
  it('names the clinic fields and derives a name for a field the app does not know', () => {
    expect(fieldWords('dateOfBirth').label).toBe('Date of birth');
    expect(fieldWords('insuranceNumber').label).toBe('Insurance number');
    expect(fieldWords('constructor').label).toBe('Constructor');
  });

  it('lists the clinic fields in their order, then the others by name', () => {
    expect(fieldOrder(['zeta', 'phone', 'alpha', 'displayName'])).toEqual(['displayName', 'phone', 'alpha', 'zeta']);
  });
});
