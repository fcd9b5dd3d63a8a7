// Trunk post-build hook of the managers' console (crates/console/Trunk.toml): moves
// trunk's inline start-up script into /console/start-<hash>.js and writes the
// precompressed copies. No service worker: the console is an online tool for desks.
import { moveInlineScripts, precompress, stagingDir, walk } from './built-files.mjs';

const dir = stagingDir('console-post-build');
const moved = moveInlineScripts(dir, process.env.TRUNK_PUBLIC_URL || '/console/', 'console-post-build');
const compressed = precompress(walk(dir));
console.log(`console-post-build: ${moved} inline script(s) moved out, ${compressed} precompressed`);
