/**
 * @module pages/security/qr-path
 *
 * A QR code's dark modules as the `d` of one SVG path, so the code is drawn as JSX and never
 * as a markup string.
 */

/** One path for the dark modules: a rectangle per horizontal run, so the path stays short. */
export function qrPath(modules: readonly (readonly boolean[])[]): string {
  const parts: string[] = [];
  modules.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x += 1;
      parts.push(`M${start} ${y}h${x - start}v1h-${x - start}z`);
    }
  });
  return parts.join('');
}
