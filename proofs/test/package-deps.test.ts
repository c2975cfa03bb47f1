// A browser bundle of @trailmark/proofs pulls nothing but the two noble packages: the manifest says so, and the
// built files, followed from the entry point, import nothing else (the CLI, with its commander and progress bars,
// is @trailmark/verify-cli).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every bare specifier the files reachable from `entry` import, `node:` builtins included. */
function externalImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier));
      else external.add(specifier);
    }
  };
  visit(entry);
  return external;
}

test('the manifest depends on the two noble packages only, and ships no bin', () => {
  const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as Record<string, unknown>;
  expect(Object.keys(manifest.dependencies as object).sort()).toEqual(['@noble/curves', '@noble/hashes']);
  expect(manifest.bin).toBeUndefined();
  expect(manifest.peerDependencies).toBeUndefined();
});

test('the built library, followed from its entry point, imports only @noble/* (no node: builtin either)', () => {
  const imports = [...externalImports(join(PACKAGE, 'dist', 'index.js'))];
  expect(imports.length).toBeGreaterThan(0);
  expect(imports.filter((specifier) => !specifier.startsWith('@noble/'))).toEqual([]);
});
