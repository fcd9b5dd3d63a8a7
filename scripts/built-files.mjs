// What both trunk builds (the PWA's scripts/precache.mjs and the console's
// scripts/console-post-build.mjs) do to their staged files before the server serves them.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The staging folder trunk hands its hooks, or the first argument. */
export function stagingDir(hook) {
  const dir = process.env.TRUNK_STAGING_DIR || process.argv[2];
  if (!dir) {
    console.error(`${hook}: TRUNK_STAGING_DIR is not set`);
    process.exit(1);
  }
  return dir;
}

/**
 * The server's Content-Security-Policy allows no inline script (crates/server/src/
 * security.rs), but trunk writes the code that starts the wasm inline into index.html:
 * every inline <script> becomes `<publicUrl>start-<hash>.js`, loaded by <script src>
 * with its integrity; its other attributes stay. Returns the number moved.
 */
export function moveInlineScripts(dir, publicUrl, hook) {
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
      return `<script${attrs} src="${publicUrl}${name}" integrity="${integrity}"></script>`;
    },
  );
  writeFileSync(indexPath, index);
  if (/<script\b(?![^>]*\ssrc\s*=)[^>]*>\s*\S/i.test(index)) {
    console.error(`${hook}: an inline script is left in index.html`);
    process.exit(1);
  }
  return moved;
}

/** Every file under `d`, recursively. */
export function walk(d) {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * Brotli (quality 11) and gzip copies next to each text file, for the server
 * (ServeDir.precompressed_br/gzip): the browser downloads the smallest form without the
 * server compressing on every request. Returns the number of files compressed.
 */
export function precompress(paths) {
  const COMPRESSIBLE = /\.(wasm|js|css|html|webmanifest|json|svg)$/;
  let compressed = 0;
  for (const path of paths) {
    if (!COMPRESSIBLE.test(path)) continue;
    const bytes = readFileSync(path);
    writeFileSync(`${path}.br`, brotliCompressSync(bytes, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }));
    writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
    compressed += 1;
  }
  return compressed;
}
