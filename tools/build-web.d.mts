/** Types of tools/build-web.mjs for the TypeScript that imports it (browser tests, benchmarks). */
export declare const WEB_DIST_DIR: string;
export declare const INITIAL_SCRIPT_BUDGET_BYTES: number;
export declare function buildWebApp(options?: {
  outdir?: string;
  quiet?: boolean;
}): Promise<{ initialScriptGzipBytes: number; files: string[] }>;
