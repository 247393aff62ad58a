/** Types of tools/build-sdk.mjs for the TypeScript that imports it (tests). */
export declare const SDK_DIR: string;
export declare const SOURCE_CONDITION: string;
export declare const SIGN_IN_FETCH_BUDGET_GZIP_BYTES: number;
export declare function sdkSubpaths(): { subpath: string; source: string; output: string }[];
export declare function buildSdkJavaScript(outdir: string): Promise<void>;
export declare function measureSdkBundles(): Promise<{ name: string; minBytes: number; gzipBytes: number; inputs: string[] }[]>;
export declare function buildSdkDeclarations(): void;
