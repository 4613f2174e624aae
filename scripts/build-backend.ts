import { cp, rm } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * Bundles the backend into dist/backend/server.js (dependencies stay external: they are installed
 * by `npm ci`), and copies the SQL migrations next to it, where the bundle looks for them.
 */
const outDir = 'dist/backend';
await rm(outDir, { recursive: true, force: true });
await build({
  entryPoints: ['backend/server.ts'],
  outfile: `${outDir}/server.js`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
await cp('backend/db/migrations', `${outDir}/migrations`, { recursive: true });
console.log(`backend built: ${outDir}/server.js`);
