// Prints the JavaScript a first load of the console fetches, gzipped, and fails the build past the budget
// of issue 19 (200 KB): the scripts index.html names, and the element's module.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 200 * 1024;
const dist = new URL('./dist/', import.meta.url);
const html = readFileSync(new URL('index.html', dist), 'utf8');
const scripts = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]);
const gzipped = (path) => gzipSync(readFileSync(new URL(path, dist))).length;
const app = scripts.reduce((sum, path) => sum + gzipped(path), 0);
const element = gzipped('element/trailmark-log-viewer.js');
console.log(`console first-load JavaScript: ${(app / 1024).toFixed(1)} KB gzipped (${scripts.length} files); element: ${(element / 1024).toFixed(1)} KB gzipped; budget ${BUDGET / 1024} KB`);
if (app > BUDGET || element > BUDGET) {
  console.error('over the 200 KB budget');
  process.exit(1);
}
