#!/usr/bin/env node
// Runs the compiled command (`npm run build` writes build/portcullis.mjs). In a development
// checkout that has not been built yet, it runs the TypeScript source through tsx's loader.
import { existsSync } from 'node:fs';

const built = new URL('../build/portcullis.mjs', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
