/**
 * @module bench/simulations/web-paint
 *
 * `npm run bench -- web-paint`: how fast the reference web app paints the patient home on
 * loopback (BENCHMARKS.md, "Web app"). It builds the server command and the web app the way
 * `npm run build` does, starts `portcullis start` in development on an empty data directory so
 * it seeds the demo clinic (web-paint/server.ts), and drives Debian's Chromium: per round, a new
 * browser context signs in as the demo patient through the form, then loads `/` cold with the
 * session stored (web-paint/browser.ts).
 *
 * It reports the median and p90 of first contentful paint, the meaningful paint (the home
 * view's heading and navigation on screen), the JavaScript fetched until then and the server's
 * CPU per load, prints a table, and writes bench/results/web-paint-<date>.json with an SVG of
 * every round beside it. `WEB_PAINT_ROUNDS` (1–100, default 10) sets the rounds; CI runs 2.
 * Without Chromium it skips loudly, except in CI (`CI=true`), where it fails.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from '../../tools/build.mjs';
import { INITIAL_SCRIPT_BUDGET_BYTES, buildWebApp } from '../../tools/build-web.mjs';
import { chromiumAvailable, launchChromium } from '../../packages/server/src/test-support/chromium.js';
import { median } from '../lib/compare.ts';
import { RESULTS_DIR, describeMachine, describeSource, formatMachine, formatSource } from '../lib/report.ts';
import { PANELS_TOP, dots, panelFrame, polyline, scalesFor, svgDocument, type Series } from '../lib/svg-plot.ts';
import { measureRound, type PaintRound } from './web-paint/browser.ts';
import { startDemoServerProcess } from './web-paint/server.ts';

/** Inside the repository, so the server bundle resolves npm packages from its node_modules. */
const SERVER_BUILD_DIR = fileURLToPath(new URL('../.build/web-paint/', import.meta.url));
const DEFAULT_ROUNDS = 10;
const MAX_ROUNDS = 100;

type Log = (line: string) => void;

export function readRounds(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_ROUNDS;
  const rounds = Number(value);
  if (!/^\d+$/.test(value) || rounds < 1 || rounds > MAX_ROUNDS)
    throw new Error(`WEB_PAINT_ROUNDS must be a whole number from 1 to ${MAX_ROUNDS}, got "${value}"`);
  return rounds;
}

/** Nearest-rank percentile: the smallest value at or above `percent` of the values. */
function percentile(values: readonly number[], percent: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const METRICS = [
  { key: 'firstContentfulPaintMs', label: 'first contentful paint', unit: 'ms' },
  { key: 'homePaintedMs', label: 'home painted (meaningful paint)', unit: 'ms' },
  { key: 'homeInDocumentMs', label: 'home heading and navigation in the document', unit: 'ms' },
  { key: 'scriptTransferBytes', label: 'JavaScript transferred until then', unit: 'KB' },
  { key: 'scriptDecodedBytes', label: 'JavaScript decoded until then', unit: 'KB' },
  { key: 'scripts', label: 'JavaScript files until then', unit: '' },
  { key: 'requests', label: 'requests until then (all)', unit: '' },
  { key: 'serverCpuMs', label: 'server CPU per load', unit: 'ms' },
] as const satisfies readonly { key: keyof PaintRound; label: string; unit: string }[];

export interface Summary {
  readonly metric: string;
  readonly unit: string;
  readonly median: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

function summarise(rounds: readonly PaintRound[]): Summary[] {
  return METRICS.map(({ key, label, unit }) => {
    const values = rounds.map((round) => (unit === 'KB' ? round[key] / 1024 : round[key]));
    return { metric: label, unit, median: median(values), p90: percentile(values, 90), min: Math.min(...values), max: Math.max(...values) };
  });
}

function table(summaries: readonly Summary[]): string {
  const cell = (value: number, unit: string) => (unit === '' ? String(Math.round(value)) : value.toFixed(1));
  return [
    '| metric | unit | median | p90 | min | max |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...summaries.map(
      (s) => `| ${s.metric} | ${s.unit || 'count'} | ${[s.median, s.p90, s.min, s.max].map((v) => cell(v, s.unit)).join(' | ')} |`,
    ),
  ].join('\n');
}

const PLOT_SERIES: readonly (Series & { key: 'firstContentfulPaintMs' | 'homePaintedMs' | 'serverCpuMs' })[] = [
  { key: 'firstContentfulPaintMs', label: 'first contentful paint (ms)', color: '#1f77b4' },
  { key: 'homePaintedMs', label: 'home painted (ms)', color: '#d62728' },
  { key: 'serverCpuMs', label: 'server CPU per load (ms)', color: '#7f7f7f', dash: '4 3' },
];

function renderRounds(title: string, rounds: readonly PaintRound[]): string {
  const frame = {
    top: PANELS_TOP,
    title: 'Cold load of / with the session stored, per round',
    xMax: rounds.length + 1,
    yPeak: Math.max(...rounds.flatMap((round) => PLOT_SERIES.map(({ key }) => round[key]))),
    xLabel: 'round',
    yLabel: 'ms',
    xTicks: rounds.map((round) => round.round),
  };
  const scales = scalesFor(frame);
  const parts = panelFrame(frame, scales);
  for (const series of PLOT_SERIES) {
    const points = rounds.map((round) => [scales.x(round.round), scales.y(round[series.key])] as const);
    parts.push(polyline(points, series), dots(points, series));
  }
  return svgDocument(title, PLOT_SERIES, [parts.join('\n')]);
}

/** Runs the benchmark; resolves with the exit code. */
export async function runWebPaint(env: NodeJS.ProcessEnv, log: Log): Promise<number> {
  const rounds = readRounds(env['WEB_PAINT_ROUNDS']);
  if (!chromiumAvailable('the web-paint benchmark')) return 0;
  const date = new Date().toISOString();
  const machine = describeMachine();
  const source = describeSource();
  log(formatMachine(machine));
  log(formatSource(source));
  const runDir = await mkdtemp(path.join(tmpdir(), 'portcullis-web-paint-'));
  let keepRunDir = false;
  try {
    const portcullis = await buildServer(SERVER_BUILD_DIR);
    const webDir = path.join(runDir, 'web');
    const { initialScriptGzipBytes } = await buildWebApp({ outdir: webDir, quiet: true });
    const budget = `${(initialScriptGzipBytes / 1024).toFixed(1)} KB gzipped (budget ${INITIAL_SCRIPT_BUDGET_BYTES / 1024} KB)`;
    log(`\n▶ web-paint: ${rounds} rounds; the sign-in page's JavaScript is ${budget}`);
    const dataDir = path.join(runDir, 'data');
    const logFile = path.join(runDir, 'server.log');
    const server = await startDemoServerProcess({ portcullis, dataDir, webDir, logFile });
    const browser = await launchChromium().catch(async (error: unknown) => {
      await server.stop();
      throw error;
    });
    const measured: PaintRound[] = [];
    try {
      const patient = server.accounts.find((account) => account.role === 'patient');
      if (!patient) throw new Error('the demo clinic has no patient');
      log(`  server ${server.url} (pid ${server.pid}), Chromium ${browser.version()}, signing in as ${patient.email}`);
      for (let round = 1; round <= rounds; round += 1) {
        const result = await measureRound(browser, { round, url: server.url, patient, serverCpuMs: server.cpuMs });
        measured.push(result);
        log(
          `  round ${round}: first contentful paint ${result.firstContentfulPaintMs.toFixed(0)} ms, home painted ${result.homePaintedMs.toFixed(0)} ms, ` +
            `${result.scripts} scripts ${(result.scriptTransferBytes / 1024).toFixed(1)} KB, server CPU ${result.serverCpuMs.toFixed(1)} ms`,
        );
      }
    } catch (error) {
      keepRunDir = true;
      log(`  kept for a look: ${runDir} (server log: ${logFile})`);
      throw error;
    } finally {
      await browser.close();
      await server.stop();
    }
    const summaries = summarise(measured);
    log(`\n${table(summaries)}\n`);
    await mkdir(RESULTS_DIR, { recursive: true });
    const stem = path.join(RESULTS_DIR, `web-paint-${date.replace(/[:.]/g, '-')}`);
    const initialScript = { gzipBytes: initialScriptGzipBytes, budgetBytes: INITIAL_SCRIPT_BUDGET_BYTES };
    const command = 'npm run bench -- web-paint';
    await writeFile(
      `${stem}.json`,
      `${JSON.stringify({ date, command, machine, source, rounds, browser: 'chromium', initialScript, summaries, measured }, null, 2)}\n`,
    );
    await writeFile(`${stem}.svg`, renderRounds(`Web app: the patient home on loopback (${rounds} rounds)`, measured));
    log(`results: ${stem}.json\nplot: ${stem}.svg`);
    return 0;
  } finally {
    if (!keepRunDir) await rm(runDir, { recursive: true, force: true });
  }
}
