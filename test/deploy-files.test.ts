// The deployment files (Dockerfile, docker-compose.yml, docker-compose.cluster.yml,
// deploy/tokens.example.json) checked against the code they deploy, so that neither drifts: the
// tests never run Docker, so these checks are what stands between an edit and a broken
// `docker compose up`. Each check returns the problems it found, naming what drifted; the last
// block feeds each check a drifted copy and expects it to object.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Credentials } from '../apps/ledger/src/http/auth/credentials.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

type Doc = Record<string, unknown>;
type Service = Record<string, unknown>;

// ---------- readers ----------

/** Compose's own parser accepts YAML merge keys (`<<: *anchor`); so does this one. */
function loadCompose(path: string): Doc {
  return parse(read(path), { merge: true }) as Doc;
}

function services(compose: Doc): Record<string, Service> {
  return (compose.services ?? {}) as Record<string, Service>;
}

/** Compose interpolation, enough for these files: `${X:-default}` → default, `${X:?error}` and `${X}` → a stand-in. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*)|:?\?[^}]*)?\}/g, (_, name: string, fallback?: string) => fallback ?? `<${name}>`);
}

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  const entries: [string, unknown][] = Array.isArray(env)
    ? env.map((line: string) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    : Object.entries(env as Doc);
  return Object.fromEntries(entries.map(([name, value]) => [name, interpolate(String(value))]));
}

interface Mount {
  source: string | undefined;
  target: string;
  named: boolean;
}

function mounts(service: Service): Mount[] {
  return ((service.volumes ?? []) as unknown[]).map((volume) => {
    if (typeof volume === 'string') {
      const [source, target] = volume.split(':');
      return target === undefined
        ? { source: undefined, target: source!, named: false }
        : { source, target, named: !/^[./~]/.test(source!) };
    }
    const { type, source, target } = volume as { type?: string; source?: string; target: string };
    return { source, target, named: type === 'volume' && source !== undefined };
  });
}

/** Published ports as `{ published, target }` (target: the container port). */
function ports(service: Service): { published: string; target: string }[] {
  return ((service.ports ?? []) as unknown[]).map((port) => {
    if (typeof port === 'object' && port !== null) {
      const { published, target } = port as { published?: unknown; target: unknown };
      return { published: String(published ?? ''), target: String(target) };
    }
    const parts = String(port).replace(/\/(tcp|udp)$/, '').split(':');
    return { published: parts.length > 1 ? parts.at(-2)! : '', target: parts.at(-1)! };
  });
}

function dependsOn(service: Service): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name: string) => [name, undefined]));
  return Object.fromEntries(Object.entries(deps as Doc).map(([name, dep]) => [name, (dep as { condition?: string }).condition]));
}

const isCertGen = (service: Service): boolean => /es-gencert-cli/.test(String(service.image ?? ''));
const isEventStore = (service: Service): boolean => /eventstore|kurrentdb/.test(String(service.image ?? '')) && !isCertGen(service);
const isLedger = (service: Service): boolean => service.build !== undefined;

function named(compose: Doc, predicate: (service: Service) => boolean): [string, Service][] {
  return Object.entries(services(compose)).filter(([, service]) => predicate(service));
}

function healthcheckText(service: Service): string {
  const test = (service.healthcheck as { test?: unknown } | undefined)?.test;
  return Array.isArray(test) ? test.join(' ') : String(test ?? '');
}

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions by stage, continuation lines joined, comments dropped. */
function dockerStages(text: string): Instruction[][] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [, keyword, args] = /^\s*(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword!.toUpperCase(), args: args!.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

function dockerEnv(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.filter((i) => i.keyword === 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const at = pair.indexOf('=');
      if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return env;
}

/** Environment variable names the ledger reads: `env.NAME`, `env, 'NAME'` and config.ts's zod keys (`  NAME: `). */
function envNamesRead(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b|\benv,\s*'([A-Z][A-Z0-9_]*)'|^ {2}([A-Z][A-Z0-9_]*): /gm)) names.add((match[1] ?? match[2] ?? match[3])!);
  return names;
}

function tsSources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return tsSources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Routes of a Nest controller: `@Controller('x')` + each `@Get('y')`. */
function controllerRoutes(source: string): string[] {
  const prefix = /@Controller\('([^']*)'\)/.exec(source)?.[1] ?? '';
  return [...source.matchAll(/@Get\('([^']*)'\)/g)].map((match) => `/${[prefix, match[1]].filter(Boolean).join('/')}`);
}

interface ConnectionString {
  credentials: boolean;
  hosts: { host: string; port: number }[];
  params: URLSearchParams;
}

function parseConnectionString(value: string): ConnectionString | undefined {
  const match = /^esdb:\/\/([^@]+@)?([^?/]+)\/?(?:\?(.*))?$/.exec(value);
  if (!match) return undefined;
  const hosts = match[2]!.split(',').map((hostPort) => {
    const [host, port] = hostPort.split(':');
    return { host: host!, port: Number(port ?? 2113) };
  });
  return { credentials: match[1] !== undefined, hosts, params: new URLSearchParams(match[3] ?? '') };
}

// ---------- the code the files must agree with ----------

const rootPackage = JSON.parse(read('package.json')) as { engines: { node: string }; workspaces: string[]; scripts: Record<string, string> };
const CONFIG_SOURCE = read('apps/ledger/src/config.ts');
// config.ts reads the configuration; logger.ts reads TRAILMARK_LOG_LEVEL, hence every source file.
const LEDGER_ENV_NAMES = new Set(tsSources('apps/ledger/src').flatMap((path) => [...envNamesRead(read(path))]));
const HEALTH_ROUTES = controllerRoutes(read('apps/ledger/src/http/health.controller.ts'));

/** The workspaces the service runs on: apps/ledger and the workspaces it depends on, transitively. */
function runtimeWorkspaces(): string[] {
  const manifests = new Map(
    rootPackage.workspaces.map((dir) => {
      const manifest = JSON.parse(read(`${dir}/package.json`)) as { name: string; dependencies?: Record<string, string> };
      return [manifest.name, { dir, dependencies: Object.keys(manifest.dependencies ?? {}) }];
    }),
  );
  const needed = new Set<string>();
  const visit = (name: string): void => {
    const workspace = manifests.get(name);
    if (workspace === undefined || needed.has(workspace.dir)) return;
    needed.add(workspace.dir);
    workspace.dependencies.forEach(visit);
  };
  visit('@trailmark/ledger');
  return [...needed];
}
const RUNTIME_WORKSPACES = runtimeWorkspaces();

// ---------- checks ----------

/** Every image names a tag with a version number: not `latest`, not a bare name. */
function unpinnedImages(images: [where: string, image: string][]): string[] {
  return images.flatMap(([where, image]) => {
    const tag = /:([^/:@]+)$/.exec(image)?.[1];
    if (tag === undefined) return [`${where}: image ${image} has no tag`];
    if (tag === 'latest' || !/\d/.test(tag)) return [`${where}: image ${image} is not pinned to a version`];
    return [];
  });
}

function composeImages(compose: Doc): [string, string][] {
  return Object.entries(services(compose)).flatMap(([name, service]): [string, string][] => {
    if (service.image !== undefined) return [[`service ${name}`, String(service.image)]];
    return service.build === undefined ? [[`service ${name}`, '(neither image nor build)']] : [];
  });
}

function dockerfileImages(stages: Instruction[][]): [string, string][] {
  return stages.map((stage, i) => [`Dockerfile stage ${i + 1}`, stage[0]!.args.replace(/^--platform=\S+\s+/, '').split(/\s+/)[0]!]);
}

/** The single-node file: one insecure EventStoreDB node with its data on a named volume and the documented health check. */
function singleNodeProblems(compose: Doc): string[] {
  const nodes = named(compose, isEventStore);
  if (nodes.length !== 1) return [`expected one EventStoreDB service, found ${nodes.map(([n]) => n).join(', ') || 'none'}`];
  const [name, node] = nodes[0]!;
  const env = environment(node);
  const problems: string[] = [];
  if (env.EVENTSTORE_INSECURE !== 'true') problems.push(`${name}: EVENTSTORE_INSECURE is ${env.EVENTSTORE_INSECURE}, not true`);
  if ((env.EVENTSTORE_CLUSTER_SIZE ?? '1') !== '1') {
    problems.push(`${name}: EVENTSTORE_CLUSTER_SIZE is ${env.EVENTSTORE_CLUSTER_SIZE}, not 1`);
  }
  problems.push(...dataVolumeProblems(compose, name, node));
  if (!/curl --fail http:\/\/localhost:2113\/health\/live/.test(healthcheckText(node))) {
    problems.push(`${name}: health check is not curl --fail http://localhost:2113/health/live: ${healthcheckText(node) || 'none'}`);
  }
  return problems;
}

function dataVolumeProblems(compose: Doc, name: string, node: Service): string[] {
  const data = mounts(node).find((mount) => mount.target === '/var/lib/eventstore');
  if (!data?.named) return [`${name}: /var/lib/eventstore is not on a named volume`];
  if (!Object.hasOwn((compose.volumes ?? {}) as Doc, data.source!)) return [`${name}: volume ${data.source} is not declared under volumes:`];
  return [];
}

/** The three-node file: TLS nodes with certificates from the one-shot es-gencert-cli service, each gossiping with the others. */
function clusterProblems(compose: Doc): string[] {
  const nodes = named(compose, isEventStore);
  const certGen = named(compose, isCertGen)[0];
  if (nodes.length !== 3) return [`expected three EventStoreDB services, found ${nodes.map(([n]) => n).join(', ') || 'none'}`];
  if (certGen === undefined) return ['no es-gencert-cli service makes the certificates'];
  const [certName, certService] = certGen;
  const script = JSON.stringify(certService.command ?? '');
  const certVolumes = new Set(mounts(certService).filter((m) => m.named).map((m) => m.source));
  const problems: string[] = [];
  if (!script.includes('create-ca')) problems.push(`${certName}: makes no CA (es-gencert-cli create-ca)`);
  const dataVolumes = new Set<string>();
  for (const [name, node] of nodes) {
    const env = environment(node);
    const others = nodes.map(([other]) => other).filter((other) => other !== name);
    if (env.EVENTSTORE_INSECURE === 'true') problems.push(`${name}: runs insecure`);
    if (env.EVENTSTORE_CLUSTER_SIZE !== String(nodes.length)) {
      problems.push(`${name}: EVENTSTORE_CLUSTER_SIZE is ${env.EVENTSTORE_CLUSTER_SIZE}, the file has ${nodes.length} nodes`);
    }
    const seeds = (env.EVENTSTORE_GOSSIP_SEED ?? '').split(',').filter(Boolean).sort();
    const expectedSeeds = others.map((other) => `${other}:2113`).sort();
    if (seeds.join() !== expectedSeeds.join()) {
      problems.push(`${name}: EVENTSTORE_GOSSIP_SEED is ${seeds.join() || 'unset'}, expected ${expectedSeeds.join()}`);
    }
    for (const setting of ['EVENTSTORE_NODE_HOST_ADVERTISE_AS', 'EVENTSTORE_REPLICATION_HOST_ADVERTISE_AS']) {
      if (env[setting] !== name) {
        problems.push(`${name}: ${setting} is ${env[setting]}, not its service name (the DNS name in its certificate)`);
      }
    }
    if (!new RegExp(`create-node -out \\S+ -dns-names (\\S+,)?${name}\\b`).test(script)) {
      problems.push(`${certName}: makes no certificate with the DNS name ${name}`);
    }
    for (const setting of ['EVENTSTORE_CERTIFICATE_FILE', 'EVENTSTORE_CERTIFICATE_PRIVATE_KEY_FILE', 'EVENTSTORE_TRUSTED_ROOT_CERTIFICATES_PATH']) {
      const path = env[setting];
      const mount = path === undefined ? undefined : mounts(node).find((m) => path.startsWith(`${m.target}/`));
      if (!mount || !certVolumes.has(mount.source)) problems.push(`${name}: ${setting}=${path} is not in a volume ${certName} writes`);
    }
    if (dependsOn(node)[certName] !== 'service_completed_successfully') problems.push(`${name}: does not wait for ${certName} to complete`);
    if (!/curl --fail --insecure https:\/\/localhost:2113\/health\/live/.test(healthcheckText(node))) {
      problems.push(`${name}: health check is not the documented https /health/live one`);
    }
    problems.push(...dataVolumeProblems(compose, name, node));
    const data = mounts(node).find((m) => m.target === '/var/lib/eventstore')?.source;
    if (data !== undefined && dataVolumes.has(data)) problems.push(`${name}: shares its data volume ${data} with another node`);
    if (data !== undefined) dataVolumes.add(data);
  }
  return problems;
}

/** The ledger service: reaches every EventStoreDB service by name and port, waits for them, sets only variables the code reads. */
function ledgerProblems(compose: Doc, dockerfile: Instruction[][]): string[] {
  const ledgers = named(compose, isLedger);
  if (ledgers.length !== 1) return [`expected one service built from the Dockerfile, found ${ledgers.map(([n]) => n).join(', ') || 'none'}`];
  const [name, ledger] = ledgers[0]!;
  const env = environment(ledger);
  const image = dockerEnv(dockerfile.at(-1)!);
  const problems: string[] = [];

  for (const variable of Object.keys(env)) {
    if (!LEDGER_ENV_NAMES.has(variable)) problems.push(`${name}: sets ${variable}, which apps/ledger/src never reads`);
  }

  const nodes = named(compose, isEventStore);
  const connection = env.ESDB_CONNECTION_STRING === undefined ? undefined : parseConnectionString(env.ESDB_CONNECTION_STRING);
  if (connection === undefined) {
    problems.push(`${name}: ESDB_CONNECTION_STRING is not an esdb:// connection string: ${env.ESDB_CONNECTION_STRING}`);
  } else {
    const expected = nodes.map(([node, service]) => `${node}:${environment(service).EVENTSTORE_NODE_PORT ?? '2113'}`).sort();
    const actual = connection.hosts.map(({ host, port }) => `${host}:${port}`).sort();
    if (actual.join() !== expected.join()) {
      problems.push(`${name}: ESDB_CONNECTION_STRING names ${actual.join()}, the EventStoreDB services are ${expected.join()}`);
    }
    const insecure = nodes.every(([, service]) => environment(service).EVENTSTORE_INSECURE === 'true');
    const tls = connection.params.get('tls') ?? 'true';
    if (tls !== String(!insecure)) {
      problems.push(`${name}: ESDB_CONNECTION_STRING has tls=${tls}, the nodes run ${insecure ? 'insecure' : 'with TLS'}`);
    }
    if (!insecure) {
      // A secure node authenticates callers, and reading $all takes an admin.
      if (!connection.credentials) {
        problems.push(`${name}: ESDB_CONNECTION_STRING has no credentials, the nodes run with TLS and authentication`);
      }
      const ca = connection.params.get('tlsCAFile');
      const mount = ca === null ? undefined : mounts(ledger).find((m) => ca.startsWith(`${m.target}/`));
      const certVolumes = new Set(named(compose, isCertGen).flatMap(([, s]) => mounts(s).map((m) => m.source)));
      if (!mount || !certVolumes.has(mount.source)) {
        problems.push(`${name}: tlsCAFile=${ca} is not in a volume the certificate service writes`);
      }
    }
  }
  for (const [node] of nodes) {
    if (dependsOn(ledger)[node] !== 'service_healthy') problems.push(`${name}: does not wait for ${node} to be healthy`);
  }

  const port = env.PORT ?? image.PORT ?? '8080';
  if (!ports(ledger).some((p) => p.target === port)) {
    problems.push(`${name}: publishes ${ports(ledger).map((p) => p.target).join(', ') || 'no port'}, the container listens on PORT=${port}`);
  }

  const dataDir = env.TRAILMARK_DATA_DIR ?? image.TRAILMARK_DATA_DIR;
  if (!mounts(ledger).some((m) => m.named && m.target === dataDir)) problems.push(`${name}: no named volume at the data dir ${dataDir}`);
  const tokens = env.TRAILMARK_TOKENS_FILE;
  if (tokens === undefined || !mounts(ledger).some((m) => m.target === tokens)) {
    problems.push(`${name}: TRAILMARK_TOKENS_FILE=${tokens} is not a mounted file`);
  }
  return problems;
}

/** The image: multi-stage, pinned Node of the major package.json asks for, production install, non-root, a health check the app answers. */
function dockerfileProblems(stages: Instruction[][]): string[] {
  const problems: string[] = [];
  if (stages.length < 2) problems.push(`Dockerfile has ${stages.length} stage(s), not a multi-stage build`);
  const final = stages.at(-1) ?? [];
  const [, engineMajor, engineMinor] = /^>=\s*(\d+)\.(\d+)/.exec(rootPackage.engines.node) ?? [];
  for (const [where, image] of dockerfileImages(stages)) {
    const version = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)\.(\d+)/.exec(image);
    if (!version) {
      problems.push(`${where}: base image ${image} is not a node:<major>.<minor> image`);
    } else if (version[1] !== engineMajor || Number(version[2]) < Number(engineMinor)) {
      problems.push(`${where}: base image ${image} does not satisfy package.json engines.node ${rootPackage.engines.node}`);
    }
  }
  const user = final.filter((i) => i.keyword === 'USER').at(-1)?.args;
  if (user === undefined || /^(root|0)(:|$)/.test(user)) problems.push(`Dockerfile final stage runs as ${user ?? 'root (no USER)'}`);
  if (!final.some((i) => i.keyword === 'RUN' && /\bnpm ci\b[^&;]*--omit=dev/.test(i.args))) {
    problems.push('Dockerfile final stage does not install with npm ci --omit=dev');
  }

  const env = dockerEnv(final);
  for (const variable of Object.keys(env)) {
    if (!LEDGER_ENV_NAMES.has(variable)) problems.push(`Dockerfile sets ${variable}, which apps/ledger/src never reads`);
  }
  if (env.NODE_ENV !== 'production') problems.push(`Dockerfile final stage has NODE_ENV=${env.NODE_ENV}, not production`);
  // The service listens on loopback unless told otherwise: inside a container, a published port needs every interface.
  if (env.HOST !== '0.0.0.0') problems.push(`Dockerfile final stage has HOST=${env.HOST}: a published port reaches nothing but 0.0.0.0`);
  const volumes = final
    .filter((i) => i.keyword === 'VOLUME')
    .flatMap((i) => (i.args.startsWith('[') ? (JSON.parse(i.args) as string[]) : i.args.split(/\s+/)));
  if (!volumes.includes(env.TRAILMARK_DATA_DIR ?? '(unset)')) {
    problems.push(`Dockerfile declares no VOLUME at TRAILMARK_DATA_DIR=${env.TRAILMARK_DATA_DIR}`);
  }
  const exposed = final.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
  if (!exposed.includes(env.PORT ?? '(unset)')) {
    problems.push(`Dockerfile exposes ${exposed.join(', ') || 'nothing'}, the service listens on PORT=${env.PORT}`);
  }

  const healthcheck = final.find((i) => i.keyword === 'HEALTHCHECK')?.args;
  const path = healthcheck === undefined ? undefined : /['"](\/[^'"]*)['"]/.exec(healthcheck)?.[1];
  if (path === undefined || !HEALTH_ROUTES.includes(path)) {
    problems.push(`Dockerfile HEALTHCHECK requests ${path ?? 'nothing'}, the health controller serves ${HEALTH_ROUTES.join(', ')}`);
  }

  const cmd = final.filter((i) => i.keyword === 'CMD').at(-1)?.args;
  const command = cmd === undefined ? undefined : cmd.startsWith('[') ? (JSON.parse(cmd) as string[]).join(' ') : cmd;
  if (command !== rootPackage.scripts.start) problems.push(`Dockerfile CMD is ${command}, npm start runs ${rootPackage.scripts.start}`);

  const copies = final.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  for (const workspace of rootPackage.workspaces) {
    if (!copies.some((args) => args.startsWith(`${workspace}/package.json `))) {
      problems.push(`Dockerfile final stage does not copy ${workspace}/package.json before npm ci`);
    }
  }
  for (const workspace of RUNTIME_WORKSPACES) {
    if (!copies.some((args) => args.startsWith('--from=') && args.includes(`/${workspace}/dist `))) {
      problems.push(`Dockerfile final stage does not copy the built ${workspace}/dist`);
    }
  }
  return problems;
}

// ---------- the files as they are ----------

const DOCKERFILE = dockerStages(read('Dockerfile'));
const SINGLE = loadCompose('docker-compose.yml');
const CLUSTER = loadCompose('docker-compose.cluster.yml');

describe('deployment files agree with the code', () => {
  test('the ledger reads the variables these checks rely on (the extraction from its sources still works)', () => {
    expect([...envNamesRead(CONFIG_SOURCE)]).toEqual(
      expect.arrayContaining(['ESDB_CONNECTION_STRING', 'PORT', 'TRAILMARK_DATA_DIR', 'TRAILMARK_TOKENS_FILE', 'NODE_ENV']),
    );
    expect(HEALTH_ROUTES).toContain('/health/ready');
    expect(RUNTIME_WORKSPACES).toEqual(expect.arrayContaining(['apps/ledger', 'libs/event-store', 'proofs']));
  });

  test('every image is pinned to a version', () => {
    expect([
      ...unpinnedImages(composeImages(SINGLE)),
      ...unpinnedImages(composeImages(CLUSTER)),
      ...unpinnedImages(dockerfileImages(DOCKERFILE)),
    ]).toEqual([]);
  });

  test('Dockerfile: multi-stage, Node matching engines, npm ci --omit=dev, non-root, health check on a served route, CMD = npm start', () => {
    expect(dockerfileProblems(DOCKERFILE)).toEqual([]);
  });

  test('docker-compose.yml: one insecure EventStoreDB node with a volume and the documented health check', () => {
    expect(singleNodeProblems(SINGLE)).toEqual([]);
  });

  test('docker-compose.yml: the ledger reaches that node, waits for it, and sets only variables it reads', () => {
    expect(ledgerProblems(SINGLE, DOCKERFILE)).toEqual([]);
  });

  test('docker-compose.cluster.yml: three TLS nodes gossiping with each other on generated certificates', () => {
    expect(clusterProblems(CLUSTER)).toEqual([]);
  });

  test('docker-compose.cluster.yml: the ledger reaches all three nodes over TLS with the generated CA', () => {
    expect(ledgerProblems(CLUSTER, DOCKERFILE)).toEqual([]);
  });

  test('deploy/tokens.example.json is a tokens file the ledger loads once each digest is filled in', () => {
    const entries = JSON.parse(read('deploy/tokens.example.json')) as { sha256: string }[];
    const dir = mkdtempSync(join(tmpdir(), 'trailmark-tokens-'));
    try {
      const file = join(dir, 'tokens.json');
      writeFileSync(file, JSON.stringify(entries.map((entry, i) => ({ ...entry, sha256: String(i).repeat(64) }))));
      expect(() => Credentials.load({ tokensFile: file })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the checks catch drift', () => {
  const clone = <T>(value: T): T => structuredClone(value);
  const ledgerOf = (compose: Doc): Service => services(compose).ledger!;

  test('an unpinned or latest image', () => {
    const images: [string, string][] = [
      ['service x', 'eventstore/eventstore'],
      ['service y', 'node:latest'],
      ['service z', 'docker.eventstore.com/eventstore/eventstoredb-ee:lts'],
    ];
    expect(unpinnedImages(images)).toEqual([
      'service x: image eventstore/eventstore has no tag',
      'service y: image node:latest is not pinned to a version',
      'service z: image docker.eventstore.com/eventstore/eventstoredb-ee:lts is not pinned to a version',
    ]);
  });

  test('a secure, clustered, volume-less or unchecked single node', () => {
    const compose = clone(SINGLE);
    const node = services(compose).eventstore!;
    node.environment = { EVENTSTORE_CLUSTER_SIZE: '3' };
    node.volumes = [];
    delete node.healthcheck;
    expect(singleNodeProblems(compose)).toEqual([
      'eventstore: EVENTSTORE_INSECURE is undefined, not true',
      'eventstore: EVENTSTORE_CLUSTER_SIZE is 3, not 1',
      'eventstore: /var/lib/eventstore is not on a named volume',
      'eventstore: health check is not curl --fail http://localhost:2113/health/live: none',
    ]);
  });

  test('a ledger pointed elsewhere, not waiting, on another port, or set with a variable the code does not read', () => {
    const compose = clone(SINGLE);
    const ledger = ledgerOf(compose);
    ledger.environment = {
      ...(ledger.environment as Doc),
      ESDB_CONNECTION_STRING: 'esdb://esdb:2113?tls=false',
      TRAILMARK_CHECKPOINT_INTERVAL: '500',
      PORT: '9090',
    };
    ledger.depends_on = ['eventstore'];
    expect(ledgerProblems(compose, DOCKERFILE)).toEqual([
      'ledger: sets TRAILMARK_CHECKPOINT_INTERVAL, which apps/ledger/src never reads',
      'ledger: ESDB_CONNECTION_STRING names esdb:2113, the EventStoreDB services are eventstore:2113',
      'ledger: does not wait for eventstore to be healthy',
      'ledger: publishes 8080, the container listens on PORT=9090',
    ]);
  });

  test('a cluster ledger without TLS or the CA, and a node with a wrong seed, name or certificate', () => {
    const compose = clone(CLUSTER);
    const ledger = ledgerOf(compose);
    ledger.environment = { ...(ledger.environment as Doc), ESDB_CONNECTION_STRING: 'esdb://node1:2113,node2:2113,node3:2113?tls=false' };
    expect(ledgerProblems(compose, DOCKERFILE)).toEqual([
      'ledger: ESDB_CONNECTION_STRING has tls=false, the nodes run with TLS',
      'ledger: ESDB_CONNECTION_STRING has no credentials, the nodes run with TLS and authentication',
      'ledger: tlsCAFile=null is not in a volume the certificate service writes',
    ]);
    ledger.environment = {
      ...(ledger.environment as Doc),
      ESDB_CONNECTION_STRING: 'esdb://admin:x@node1:2113,node2:2113,node3:2113?tls=true&tlsCAFile=/etc/ssl/ca.crt',
    };
    expect(ledgerProblems(compose, DOCKERFILE)).toEqual(['ledger: tlsCAFile=/etc/ssl/ca.crt is not in a volume the certificate service writes']);

    const node2 = services(compose).node2!;
    node2.environment = {
      ...(node2.environment as Doc),
      EVENTSTORE_GOSSIP_SEED: 'node1:2113',
      EVENTSTORE_NODE_HOST_ADVERTISE_AS: 'node-2',
      EVENTSTORE_CERTIFICATE_FILE: '/etc/node2.crt',
    };
    expect(clusterProblems(compose)).toEqual([
      'node2: EVENTSTORE_GOSSIP_SEED is node1:2113, expected node1:2113,node3:2113',
      'node2: EVENTSTORE_NODE_HOST_ADVERTISE_AS is node-2, not its service name (the DNS name in its certificate)',
      'node2: EVENTSTORE_CERTIFICATE_FILE=/etc/node2.crt is not in a volume certs writes',
    ]);
  });

  test('a single-stage image on another Node, as root, on loopback, with a dev install, an unserved health check and a missing workspace', () => {
    const drifted = read('Dockerfile')
      .replace(/^FROM \S+ AS build[\s\S]*?^FROM \S+/m, 'FROM node:22.11.0-bookworm-slim')
      .replace('npm ci --omit=dev', 'npm ci')
      .replace('USER node\n', '')
      .replace('HOST=0.0.0.0', 'HOST=127.0.0.1')
      .replace('/health/ready', '/healthz')
      .replace('COPY --from=build /app/libs/domain/dist libs/domain/dist\n', '');
    expect(dockerfileProblems(dockerStages(drifted))).toEqual([
      'Dockerfile has 1 stage(s), not a multi-stage build',
      `Dockerfile stage 1: base image node:22.11.0-bookworm-slim does not satisfy package.json engines.node ${rootPackage.engines.node}`,
      'Dockerfile final stage runs as root (no USER)',
      'Dockerfile final stage does not install with npm ci --omit=dev',
      'Dockerfile final stage has HOST=127.0.0.1: a published port reaches nothing but 0.0.0.0',
      `Dockerfile HEALTHCHECK requests /healthz, the health controller serves ${HEALTH_ROUTES.join(', ')}`,
      'Dockerfile final stage does not copy the built libs/domain/dist',
    ]);
  });
});
