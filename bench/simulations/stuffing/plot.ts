/**
 * @module bench/simulations/stuffing/plot
 *
 * The simulation's picture: one panel per attacker size, seconds since the run started on the
 * x axis, attacker attempts, refusals (429) and second-factor challenges per second, accounts
 * compromised so far, and legitimate sign-ins that failed. Hand-written SVG, no dependency.
 */

export interface Second {
  readonly attempts: number;
  readonly refused: number;
  readonly challenged: number;
  /** Accounts the attacker holds tokens for, so far. */
  readonly compromisedSoFar: number;
  readonly legitimate: number;
  readonly legitimateFailed: number;
}

export interface Panel {
  readonly title: string;
  /** Seconds since the run started. */
  readonly attackStart: number;
  readonly attackEnd: number;
  readonly seconds: readonly Second[];
}

const WIDTH = 900;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 60, right: 20, top: 34, bottom: 36 };

const SERIES: readonly { key: keyof Second; label: string; color: string; dash?: string }[] = [
  { key: 'attempts', label: 'attacker attempts/s', color: '#1f77b4' },
  { key: 'refused', label: 'refused (429)/s', color: '#ff7f0e' },
  { key: 'challenged', label: 'challenged (MFA_REQUIRED)/s', color: '#2ca02c' },
  { key: 'compromisedSoFar', label: 'accounts compromised (total)', color: '#d62728' },
  { key: 'legitimateFailed', label: 'legitimate sign-ins failed/s', color: '#9467bd', dash: '4 3' },
];

const escape = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function niceCeiling(value: number): number {
  if (value <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function panel(p: Panel, top: number): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const duration = Math.max(1, p.seconds.length);
  const peak = niceCeiling(Math.max(1, ...p.seconds.flatMap((s) => SERIES.map(({ key }) => s[key]))));
  const round = (n: number) => Math.round(n * 10) / 10;
  const x = (t: number) => round(MARGIN.left + (t / duration) * plotWidth);
  const y = (v: number) => round(top + MARGIN.top + plotHeight - (v / peak) * plotHeight);
  const parts: string[] = [
    `<text x="${MARGIN.left}" y="${top + 20}" font-size="14" font-weight="bold">${escape(p.title)}</text>`,
    `<rect x="${x(p.attackStart)}" y="${top + MARGIN.top}" width="${round(Math.max(1, x(p.attackEnd) - x(p.attackStart)))}" height="${plotHeight}" fill="#f3f3f3"/>`,
    `<text x="${round(x(p.attackStart) + 4)}" y="${top + MARGIN.top + 12}" font-size="10" fill="#777">attack</text>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${MARGIN.left + plotWidth}" y2="${y(0)}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${MARGIN.left}" y2="${y(peak)}" stroke="#333"/>`,
  ];
  for (const fraction of [0, 0.5, 1]) {
    const value = peak * fraction;
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(value) + 4}" font-size="10" text-anchor="end">${value}</text>`);
  }
  const tick = niceCeiling(duration / 8);
  for (let t = 0; t <= duration; t += tick) {
    parts.push(`<text x="${x(t)}" y="${y(0) + 14}" font-size="10" text-anchor="middle">${t}</text>`);
  }
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${y(0) + 28}" font-size="10" text-anchor="middle">seconds since the run started</text>`,
  );
  for (const series of SERIES) {
    const points = p.seconds.map((s, t) => `${x(t + 0.5)},${y(s[series.key])}`).join(' ');
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${series.color}" stroke-width="1.5"${series.dash ? ` stroke-dasharray="${series.dash}"` : ''}/>`,
    );
  }
  return parts.join('\n');
}

function legend(top: number): string {
  return SERIES.map((series, i) => {
    const left = MARGIN.left + i * 170;
    return [
      `<line x1="${left}" y1="${top}" x2="${left + 20}" y2="${top}" stroke="${series.color}" stroke-width="2"${series.dash ? ` stroke-dasharray="${series.dash}"` : ''}/>`,
      `<text x="${left + 24}" y="${top + 4}" font-size="10">${escape(series.label)}</text>`,
    ].join('\n');
  }).join('\n');
}

export function renderPlot(title: string, panels: readonly Panel[]): string {
  const height = 50 + panels.length * PANEL_HEIGHT + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
    legend(40),
    ...panels.map((p, i) => panel(p, 50 + i * PANEL_HEIGHT)),
    '</svg>',
    '',
  ].join('\n');
}
