/**
 * @module bench/lib/svg-plot
 *
 * Hand-written SVG line charts for the simulations' pictures (no dependency): a document with a
 * title and a legend, and panels with axes, ticks and one polyline per series. The caller maps
 * its own data to points and may add marks of its own (the stuffing plot shades the attack).
 */

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly dash?: string;
}

/** One panel's frame: where it sits, its scales, and the axis captions. */
export interface Frame {
  readonly top: number;
  readonly title: string;
  /** x runs from 0 to `xMax`; y from 0 to a round number at or above `yPeak`. */
  readonly xMax: number;
  readonly yPeak: number;
  readonly xLabel: string;
  readonly yLabel?: string;
  /** x values to label; by default about 8 round steps from 0. */
  readonly xTicks?: readonly number[];
}

export interface Scales {
  readonly x: (value: number) => number;
  readonly y: (value: number) => number;
  readonly plotWidth: number;
  readonly plotHeight: number;
  readonly peak: number;
}

export const WIDTH = 900;
export const PANEL_HEIGHT = 220;
export const MARGIN = { left: 60, right: 20, top: 34, bottom: 36 } as const;
/** Where the first panel starts, below the document title and the legend. */
export const PANELS_TOP = 50;

export const escapeSvg = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export const roundCoordinate = (n: number): number => Math.round(n * 10) / 10;

/** The smallest of 1, 2, 5 × a power of ten at or above `value` (at least 5). */
export function niceCeiling(value: number): number {
  if (value <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export function scalesFor(frame: Frame): Scales {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const peak = niceCeiling(Math.max(1, frame.yPeak));
  const xMax = Math.max(1, frame.xMax);
  return {
    x: (value) => roundCoordinate(MARGIN.left + (value / xMax) * plotWidth),
    y: (value) => roundCoordinate(frame.top + MARGIN.top + plotHeight - (value / peak) * plotHeight),
    plotWidth,
    plotHeight,
    peak,
  };
}

/** The panel's title, axes, y ticks at 0, half and the peak, x ticks and captions. */
export function panelFrame(frame: Frame, scales: Scales): string[] {
  const { x, y, plotWidth, peak } = scales;
  const parts = [
    `<text x="${MARGIN.left}" y="${frame.top + 20}" font-size="14" font-weight="bold">${escapeSvg(frame.title)}</text>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${MARGIN.left + plotWidth}" y2="${y(0)}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${MARGIN.left}" y2="${y(peak)}" stroke="#333"/>`,
  ];
  for (const fraction of [0, 0.5, 1]) {
    const value = peak * fraction;
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(value) + 4}" font-size="10" text-anchor="end">${value}</text>`);
  }
  const xMax = Math.max(1, frame.xMax);
  const step = niceCeiling(xMax / 8);
  const ticks = frame.xTicks ?? Array.from({ length: Math.floor(xMax / step) + 1 }, (_, i) => i * step);
  for (const t of ticks) parts.push(`<text x="${x(t)}" y="${y(0) + 14}" font-size="10" text-anchor="middle">${t}</text>`);
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${y(0) + 28}" font-size="10" text-anchor="middle">${escapeSvg(frame.xLabel)}</text>`,
  );
  if (frame.yLabel !== undefined) {
    parts.push(`<text x="${MARGIN.left}" y="${y(peak) - 6}" font-size="10" fill="#555">${escapeSvg(frame.yLabel)}</text>`);
  }
  return parts;
}

export function polyline(points: readonly (readonly [number, number])[], series: Series): string {
  const dash = series.dash ? ` stroke-dasharray="${series.dash}"` : '';
  return `<polyline points="${points.map(([px, py]) => `${px},${py}`).join(' ')}" fill="none" stroke="${series.color}" stroke-width="1.5"${dash}/>`;
}

/** Small dots at each point, so a series of a few samples still reads as samples. */
export function dots(points: readonly (readonly [number, number])[], series: Series): string {
  return points.map(([px, py]) => `<circle cx="${px}" cy="${py}" r="2.5" fill="${series.color}"/>`).join('\n');
}

function legend(series: readonly Series[], top: number): string {
  return series
    .map((s, i) => {
      const left = MARGIN.left + i * 170;
      return [
        `<line x1="${left}" y1="${top}" x2="${left + 20}" y2="${top}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
        `<text x="${left + 24}" y="${top + 4}" font-size="10">${escapeSvg(s.label)}</text>`,
      ].join('\n');
    })
    .join('\n');
}

/** The whole picture: title, legend, then the panels (each drawn from `PANELS_TOP + i * PANEL_HEIGHT`). */
export function svgDocument(title: string, series: readonly Series[], panels: readonly string[]): string {
  const height = PANELS_TOP + panels.length * PANEL_HEIGHT + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escapeSvg(title)}</text>`,
    legend(series, 40),
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}
