// Trunk post-build hook: moves trunk's inline start-up script into a file of its own,
// writes the precache list and a content hash into sw.js, and precompresses the files.
//
// The server's Content-Security-Policy allows no inline script (crates/server/src/
// security.rs), but trunk writes the code that starts the wasm inline into index.html:
// it becomes /start-<hash>.js, loaded by <script src> with its integrity.
//
// trunk's file-name hashes are not hashes of the final optimised files, so the service
// worker's cache version is a SHA-256 over every built file's path and bytes.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2];
if (!dir) {
  console.error('precache: TRUNK_STAGING_DIR is not set');
  process.exit(1);
}

const swPath = join(dir, 'sw.js');
const template = readFileSync(swPath, 'utf8');
if (!template.includes('__GATEWATCH_BUILD_HASH__')) {
  console.error('precache: sw.js has no placeholder (already processed?)');
  process.exit(1);
}

// Every inline <script> (trunk's module loader; in `trunk serve`, its reload script)
// becomes a file named by its content's hash; its other attributes stay.
const indexPath = join(dir, 'index.html');
let moved = 0;
const index = readFileSync(indexPath, 'utf8').replace(
  /<script\b([^>]*)>([\s\S]*?)<\/script>/gi,
  (tag, attrs, code) => {
    if (/\ssrc\s*=/i.test(attrs) || code.trim() === '') return tag;
    const name = `start-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
    writeFileSync(join(dir, name), code);
    const integrity = `sha384-${createHash('sha384').update(code).digest('base64')}`;
    moved += 1;
    return `<script${attrs} src="/${name}" integrity="${integrity}"></script>`;
  },
);
writeFileSync(indexPath, index);
if (/<script\b(?![^>]*\ssrc\s*=)[^>]*>\s*\S/i.test(index)) {
  console.error('precache: an inline script is left in index.html');
  process.exit(1);
}

function walk(d) {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

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

// Precompressed copies for the server (ServeDir.precompressed_br/gzip): the phone
// downloads the smallest form without the server compressing on every request.
const COMPRESSIBLE = /\.(wasm|js|css|html|webmanifest|json|svg)$/;
let compressed = 0;
for (const path of [...files.map((f) => f.path), swPath]) {
  if (!COMPRESSIBLE.test(path)) continue;
  const bytes = readFileSync(path);
  writeFileSync(`${path}.br`, brotliCompressSync(bytes, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }));
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  compressed += 1;
}
console.log(`precache: ${moved} inline script(s) moved out, ${files.length} files, build ${buildHash}, ${compressed} precompressed`);
