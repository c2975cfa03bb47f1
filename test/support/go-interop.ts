// Builds and runs test/go/interop/main.go: Go's golang.org/x/mod/sumdb/note and sumdb/tlog,
// an implementation nobody here wrote, asked to sign, open, hash and prove. Each call sends
// the program one JSON batch of requests and gets one response per request (see main.go).
// Without Go or the x/mod sources (Debian: golang-go golang-golang-x-mod-dev) a suite is
// skipped with a warning saying why: use `describeWithGo` and `warnIfGoMissing`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INTEROP_SOURCE = fileURLToPath(new URL('../go/interop', import.meta.url));
const X_MOD_PACKAGES = ['sumdb/note/note.go', 'sumdb/tlog/tlog.go'];

export type GoResponse = Record<string, unknown> & { error?: string };

/** The GOPATH holding golang.org/x/mod's sources, or why Go cannot be used. */
export function findGo(): { gopath: string } | { missing: string } {
  const version = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) return { missing: '`go` is not on the PATH' };
  const candidates = [...(process.env.GOPATH ?? '').split(':').filter((p) => p !== ''), '/usr/share/gocode'];
  const gopath = candidates.find((dir) =>
    X_MOD_PACKAGES.every((file) => existsSync(join(dir, 'src/golang.org/x/mod', file))),
  );
  if (gopath === undefined) {
    return { missing: `golang.org/x/mod sources not found under GOPATH (${candidates.join(', ')})` };
  }
  return { gopath };
}

export const go = findGo();

/** `describe` when Go and x/mod are there, else `describe.skip`. */
export const describeWithGo: jest.Describe = 'gopath' in go ? describe : describe.skip;

/** Says, visibly, that `what` is skipped and how to get it run. */
export function warnIfGoMissing(what: string): void {
  if ('missing' in go) {
    console.warn(`${what} SKIPPED: ${go.missing}. Install them with: apt-get install golang-go golang-golang-x-mod-dev`);
  }
}

export interface GoInterop {
  /** The built program, for a test that must keep serving HTTP while it runs (spawn it asynchronously). */
  readonly binary: string;
  /** Sends one batch of requests; one response per request, in order. */
  run(requests: readonly Record<string, unknown>[]): GoResponse[];
  /** Removes the binary and its build cache. */
  cleanup(): void;
}

/**
 * Builds the interop program (or another program of test/go, `source`) into a fresh temporary directory.
 * Throws when Go is missing or the build fails.
 */
export function buildGoInterop(source: string = INTEROP_SOURCE): GoInterop {
  if (!('gopath' in go)) throw new Error(`cannot build the Go interop program: ${go.missing}`);
  const workDir = mkdtempSync(join(tmpdir(), 'trailmark-go-interop-'));
  const binary = join(workDir, 'interop');
  const build = spawnSync('go', ['build', '-o', binary, '.'], {
    cwd: source,
    encoding: 'utf8',
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: go.gopath,
      GOCACHE: join(workDir, 'gocache'),
      GOFLAGS: '',
    },
  });
  if (build.status !== 0) {
    rmSync(workDir, { recursive: true, force: true });
    throw new Error(`go build failed: ${build.stderr}`);
  }
  return {
    binary,
    run(requests) {
      const run = spawnSync(binary, [], { input: JSON.stringify(requests), encoding: 'utf8', maxBuffer: 1 << 28 });
      if (run.status !== 0) throw new Error(`interop program failed (${run.status}): ${run.stderr}`);
      const responses = JSON.parse(run.stdout) as GoResponse[];
      if (responses.length !== requests.length) {
        throw new Error(`interop program answered ${responses.length} responses to ${requests.length} requests`);
      }
      return responses;
    },
    cleanup() {
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** The response's fields, or an error with Go's refusal. */
export function goOk(response: GoResponse | undefined): GoResponse {
  if (response === undefined) throw new Error('missing response');
  if (response.error !== undefined) throw new Error(`Go refused: ${response.error}`);
  return response;
}
