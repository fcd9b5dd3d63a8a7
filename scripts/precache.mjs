// Trunk post-build hook: moves trunk's inline start-up script into a file of its own,
// writes the precache list and a content hash into sw.js, and precompresses the files.
//
// The server's Content-Security-Policy allows no inline script: trunk's loader becomes
// /start-<hash>.js (built-files.mjs, shared with the console's build).
//
// trunk's file-name hashes are not hashes of the final optimised files, so the service
// worker's cache version is a SHA-256 over every built file's path and bytes.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { moveInlineScripts, precompress, stagingDir, walk } from './built-files.mjs';

const dir = stagingDir('precache');

const swPath = join(dir, 'sw.js');
const template = readFileSync(swPath, 'utf8');
if (!template.includes('__GATEWATCH_BUILD_HASH__')) {
  console.error('precache: sw.js has no placeholder (already processed?)');
  process.exit(1);
}

const moved = moveInlineScripts(dir, '/', 'precache');

const files = walk(dir)
  .map((p) => ({ path: p, url: '/' + relative(dir, p).split(sep).join('/') }))
  .filter((f) => f.url !== '/sw.js')
  .sort((a, b) => a.url.localeCompare(b.url));

const hash = createHash('sha256');
for (const f of files) {
  hash.update(f.url);
  hash.update('\0');
  hash.update(readFileSync(f.path));
}
const buildHash = hash.digest('hex').slice(0, 16);

const sw = template
  .replace('__GATEWATCH_BUILD_HASH__', buildHash)
  .replace('/*__GATEWATCH_PRECACHE__*/[]', JSON.stringify(files.map((f) => f.url), null, 2));
writeFileSync(swPath, sw);

const compressed = precompress([...files.map((f) => f.path), swPath]);
console.log(`precache: ${moved} inline script(s) moved out, ${files.length} files, build ${buildHash}, ${compressed} precompressed`);
