#!/usr/bin/env node
// Entry point of the `fundtrail` command. The TypeScript sources are compiled to dist/ by `npm run build`
// (run automatically by `npm install`, `npm start` and `npm run bench`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('fundtrail: not built yet: run `npm run build` (or `npm install`) first\n');
  process.exit(2);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
