/**
 * @module bench/simulations/stuffing/plot
 *
 * The simulation's picture: one panel per attacker size, seconds since the run started on the
 * x axis, attacker attempts, refusals (429) and second-factor challenges per second, accounts
 * compromised so far, and legitimate sign-ins that failed. Drawn with bench/lib/svg-plot.ts.
 */
import {
  MARGIN,
  PANEL_HEIGHT,
  PANELS_TOP,
  panelFrame,
  polyline,
  roundCoordinate,
  scalesFor,
  svgDocument,
  type Series,
} from '../../lib/svg-plot.ts';

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

const SERIES: readonly (Series & { key: keyof Second })[] = [
  { key: 'attempts', label: 'attacker attempts/s', color: '#1f77b4' },
  { key: 'refused', label: 'refused (429)/s', color: '#ff7f0e' },
  { key: 'challenged', label: 'challenged (MFA_REQUIRED)/s', color: '#2ca02c' },
  { key: 'compromisedSoFar', label: 'accounts compromised (total)', color: '#d62728' },
  { key: 'legitimateFailed', label: 'legitimate sign-ins failed/s', color: '#9467bd', dash: '4 3' },
];

function panel(p: Panel, top: number): string {
  const frame = {
    top,
    title: p.title,
    xMax: Math.max(1, p.seconds.length),
    yPeak: Math.max(1, ...p.seconds.flatMap((s) => SERIES.map(({ key }) => s[key]))),
    xLabel: 'seconds since the run started',
  };
  const scales = scalesFor(frame);
  const { x, y, plotHeight } = scales;
  const parts: string[] = [
    `<rect x="${x(p.attackStart)}" y="${top + MARGIN.top}" width="${roundCoordinate(Math.max(1, x(p.attackEnd) - x(p.attackStart)))}" height="${plotHeight}" fill="#f3f3f3"/>`,
    `<text x="${roundCoordinate(x(p.attackStart) + 4)}" y="${top + MARGIN.top + 12}" font-size="10" fill="#777">attack</text>`,
    ...panelFrame(frame, scales),
  ];
  for (const series of SERIES) {
    parts.push(
      polyline(
        p.seconds.map((s, t) => [x(t + 0.5), y(s[series.key])]),
        series,
      ),
    );
  }
  return parts.join('\n');
}

export function renderPlot(title: string, panels: readonly Panel[]): string {
  return svgDocument(
    title,
    SERIES,
    panels.map((p, i) => panel(p, PANELS_TOP + i * PANEL_HEIGHT)),
  );
}
