/** Types of tools/build.mjs for the TypeScript that imports it (benchmark runner, tests). */
export declare const SERVER_BUILD_DIR: string;
export declare const SERVER_NODE_FLAGS: readonly string[];
export declare const SERVER_WORKER_ENTRIES: Readonly<Record<string, string>>;
export declare function bundleNodeEntries(entryPoints: Record<string, string>, outdir: string): Promise<void>;
export declare function buildServer(outdir?: string): Promise<string>;
