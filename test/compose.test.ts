// This test parses docker-compose.yml and the Dockerfile and checks them
// statically. No Docker engine is available here, so the stack cannot be built
// or started. Each assertion checks a property that would break or weaken the
// real deployment if it were wrong.
import t from 'tap';
import { parse } from 'yaml';
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, root), 'utf8');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});

// Compose accepts `environment` as a map or as a list of "KEY=value".
function envOf(service: Obj): Record<string, string> {
  const env = service['environment'];
  const out: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const item of env) {
      const s = String(item);
      const i = s.indexOf('=');
      if (i > 0) out[s.slice(0, i)] = s.slice(i + 1);
    }
  } else if (isObj(env)) {
    for (const [k, v] of Object.entries(env)) out[k] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

interface PortMapping {
  hostIp: string | undefined;
  published: string | undefined;
  target: string;
}
// Short syntax "[ip:]published:target[/proto]" or the long syntax object.
function portsOf(service: Obj): PortMapping[] {
  const ports = service['ports'];
  if (!Array.isArray(ports)) return [];
  return ports.map((p): PortMapping => {
    if (isObj(p)) {
      return {
        hostIp: p['host_ip'] === undefined ? undefined : String(p['host_ip']),
        published: p['published'] === undefined ? undefined : String(p['published']),
        target: String(p['target']),
      };
    }
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    const target = parts.pop() ?? '';
    const published = parts.pop();
    const hostIp = parts.length ? parts.join(':') : undefined;
    return { hostIp, published, target };
  });
}

interface VolumeMount {
  source: string | undefined;
  target: string;
  type: string;
}
function volumesOf(service: Obj): VolumeMount[] {
  const vols = service['volumes'];
  if (!Array.isArray(vols)) return [];
  return vols.map((v): VolumeMount => {
    if (isObj(v)) {
      return {
        source: v['source'] === undefined ? undefined : String(v['source']),
        target: String(v['target']),
        type: String(v['type'] ?? 'volume'),
      };
    }
    const [source = '', target = ''] = String(v).split(':');
    const isPath = /^[./~]/.test(source);
    return { source, target, type: isPath ? 'bind' : 'volume' };
  });
}

// A healthcheck's test as one string, plus whether it is a usable form.
function healthTest(service: Obj): string {
  const test = obj(service['healthcheck'])['test'];
  if (Array.isArray(test)) return test.map(String).join(' ');
  return typeof test === 'string' ? test : '';
}

const compose = obj(parse(read('docker-compose.yml')));
const services = obj(compose['services']);
const topVolumes = obj(compose['volumes']);
const kdb = obj(services['kurrentdb']);
const app = obj(services['app']);
const kdbEnv = envOf(kdb);
const appEnv = envOf(app);
const truthy = (v: string | undefined): boolean => /^(true|1|yes)$/i.test(v ?? '');

t.test('compose: services', async t => {
  t.ok(isObj(services['kurrentdb']), 'has a kurrentdb service');
  t.ok(isObj(services['app']), 'has an app service');
});

t.test('compose: kurrentdb', async t => {
  const image = String(kdb['image'] ?? '');
  t.match(image, /kurrentdb:/, 'uses a KurrentDB image');
  t.notMatch(image, /:latest$/, 'image is not tagged latest');
  t.match(image, /:\d+\.\d+\.\d+$/, 'image is pinned to an exact x.y.z version tag');
  const m = /:(\d+)\.(\d+)\.\d+$/.exec(image);
  const [major, minor] = [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
  t.ok(major > 25 || (major === 25 && minor >= 1), `version ${major}.${minor} >= 25.1 (multi-stream append)`);

  t.ok(truthy(kdbEnv['KURRENTDB_INSECURE']), 'insecure mode is on (local use)');
  t.equal(kdbEnv['KURRENTDB_CLUSTER_SIZE'], '1', 'single node');

  const hc = obj(kdb['healthcheck']);
  t.ok(healthTest(kdb).length > 0, 'healthcheck has a test');
  t.match(healthTest(kdb), /\/health\/live/, 'healthcheck probes /health/live');
  t.ok(hc['interval'] !== undefined, 'healthcheck has an interval');
  t.ok(hc['timeout'] !== undefined, 'healthcheck has a timeout');
  t.ok(typeof hc['retries'] === 'number' && hc['retries'] > 0, 'healthcheck has retries');
  t.not(hc['disable'], true, 'healthcheck is not disabled');

  const data = volumesOf(kdb).find(v => v.target === '/var/lib/kurrentdb');
  t.ok(data, 'a volume is mounted on the data directory /var/lib/kurrentdb');
  t.equal(data?.type, 'volume', 'the data mount is a named volume, not a bind mount');
  t.ok(
    data?.source !== undefined && Object.hasOwn(topVolumes, data.source),
    `data volume "${data?.source}" is declared under top-level volumes`,
  );
});

t.test('compose: app', async t => {
  t.ok(app['build'] !== undefined, 'app is built from the local Dockerfile');
  const dep = obj(obj(app['depends_on'])['kurrentdb']);
  t.equal(dep['condition'], 'service_healthy', 'app waits for kurrentdb to be healthy');

  const conn = appEnv['EVENTSTORE_CONNECTION_STRING'] ?? '';
  let url: URL | undefined;
  try {
    url = new URL(conn);
  } catch {
    url = undefined;
  }
  t.ok(url, `EVENTSTORE_CONNECTION_STRING parses as a URL: ${conn}`);
  // Same schemes src/config.ts accepts for EVENTSTORE_CONNECTION_STRING.
  t.match(url?.protocol ?? '', /^(esdb|kurrentdb|kdb):$/, 'connection string uses a scheme the app config accepts');
  t.equal(url?.hostname, 'kurrentdb', 'connection string host is the kurrentdb service name');
  const nodePort = kdbEnv['KURRENTDB_NODE_PORT'] ?? '2113';
  t.equal(nodePort, '2113', 'kurrentdb node port is 2113');
  t.equal(url?.port, nodePort, 'connection string port matches the kurrentdb node port');
  t.ok(
    portsOf(kdb).some(p => p.target === nodePort),
    'the kurrentdb port mapping targets its node port',
  );
  t.equal(url?.searchParams.get('tls'), 'false', 'tls=false, matching the insecure node');

  t.equal(appEnv['HOST'], '0.0.0.0', 'app listens on all interfaces inside the container');
  const port = appEnv['PORT'] ?? '';
  t.equal(port, '3000', 'app PORT is 3000');
  t.ok(portsOf(app).some(p => p.target === port), 'app port mapping targets PORT');

  const db = appEnv['FUNDTRAIL_DB'] ?? '';
  const dataMount = volumesOf(app).find(v => v.type === 'volume' && db.startsWith(`${v.target}/`));
  t.ok(dataMount, `FUNDTRAIL_DB (${db}) lives on a named volume`);
  t.ok(
    dataMount?.source !== undefined && Object.hasOwn(topVolumes, dataMount.source),
    'the app data volume is declared under top-level volumes',
  );

  const hc = obj(app['healthcheck']);
  t.match(healthTest(app), new RegExp(`127\\.0\\.0\\.1:${port}/health`), 'app healthcheck hits /health on PORT');
  t.notMatch(healthTest(app), /\bcurl\b/, 'app healthcheck does not rely on curl (absent in node slim)');
  t.ok(typeof hc['retries'] === 'number' && hc['retries'] > 0, 'app healthcheck has retries');
});

t.test('compose: published ports are bound to 127.0.0.1 only', async t => {
  let count = 0;
  for (const [name, svc] of Object.entries(services)) {
    for (const p of portsOf(obj(svc))) {
      count++;
      t.equal(p.hostIp, '127.0.0.1', `${name}: port ${p.target} is bound to 127.0.0.1`);
      t.ok(p.published, `${name}: port ${p.target} has an explicit host port`);
    }
  }
  t.ok(count >= 2, 'kurrentdb and app publish ports');
});

// ---- Dockerfile ----

interface Instr {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instrs: Instr[];
}

function parseDockerfile(text: string): Stage[] {
  // Join line continuations, drop comments and blank lines.
  const logical: string[] = [];
  let cur = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && cur === '')) continue;
    if (line.endsWith('\\')) {
      cur += line.slice(0, -1) + ' ';
      continue;
    }
    cur += line;
    if (cur.trim()) logical.push(cur.trim());
    cur = '';
  }
  if (cur.trim()) logical.push(cur.trim());

  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\w+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] ?? '').toUpperCase();
    const args = m[2] ?? '';
    if (op === 'FROM') {
      const fm = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ from: fm?.[1] ?? '', name: fm?.[2], instrs: [] });
    } else {
      stages.at(-1)?.instrs.push({ op, args });
    }
  }
  return stages;
}

const stages = parseDockerfile(read('Dockerfile'));
const finalStage = stages.at(-1);
const omitDev = /npm\s+(prune|ci)\b[^&;|]*--omit[= ]dev/;

t.test('Dockerfile: multi-stage with pinned, matching base images', async t => {
  t.ok(stages.length >= 2, `at least two FROM stages (found ${stages.length})`);
  for (const s of stages) {
    t.match(s.from, /^node:\d+\.\d+\.\d+-bookworm-slim$/, `stage ${s.name ?? '?'} base is an exact node slim tag`);
  }
  t.equal(finalStage?.from, stages[0]?.from, 'build and runtime stages use the same Node image (native addon ABI)');
});

t.test('Dockerfile: build stage', async t => {
  const build = stages[0];
  const instrs = build?.instrs ?? [];
  const runs = instrs.filter(i => i.op === 'RUN').map(i => i.args);
  t.ok(
    runs.some(r => /apt-get install/.test(r) && /\bpython3\b/.test(r) && /\bmake\b/.test(r) && /\bg\+\+/.test(r)),
    'installs python3, make and g++ to compile better-sqlite3',
  );

  // `npm ci` runs the package's `prepare` script (= tsc build): it must either
  // skip scripts or run after the sources are in place.
  const idx = (pred: (i: Instr) => boolean): number => instrs.findIndex(pred);
  const ciAt = idx(i => i.op === 'RUN' && /\bnpm\s+ci\b/.test(i.args));
  const srcAt = idx(i => i.op === 'COPY' && /(^|\s)src\/?(\s|$)/.test(i.args));
  t.ok(ciAt >= 0, 'runs npm ci (lockfile install)');
  t.ok(srcAt >= 0, 'copies src');
  const ci = instrs[ciAt]?.args ?? '';
  if (/--ignore-scripts/.test(ci)) {
    const rebuildAt = idx(i => i.op === 'RUN' && /npm\s+rebuild\s+better-sqlite3/.test(i.args));
    t.ok(rebuildAt > ciAt, 'npm ci --ignore-scripts is followed by npm rebuild better-sqlite3');
    const buildAt = idx(i => i.op === 'RUN' && /npm\s+run\s+build/.test(i.args));
    t.ok(buildAt > srcAt, 'npm run build runs after the sources are copied');
  } else {
    t.ok(ciAt > srcAt, 'npm ci (which runs prepare -> build) runs after the sources are copied');
  }

  // A multi-source COPY copies directory *contents*, flattening them into the
  // destination; directories must be copied one per COPY.
  for (const i of instrs.filter(i => i.op === 'COPY' && !/--from/.test(i.args))) {
    const words = i.args.split(/\s+/).filter(w => !w.startsWith('--'));
    const sources = words.slice(0, -1);
    if (sources.length < 2) continue;
    for (const s of sources) {
      let isDir = false;
      try {
        isDir = statSync(new URL(s, root)).isDirectory();
      } catch {
        isDir = false;
      }
      t.notOk(isDir, `COPY ${i.args}: directory "${s}" is not copied alongside other sources`);
    }
  }
  for (const dir of ['domain', 'projections', 'src', 'bin']) {
    t.ok(
      instrs.some(i => i.op === 'COPY' && new RegExp(`(^|\\s)\\.?/?${dir}/?\\s+\\S*${dir}/?$`).test(i.args)),
      `copies ${dir}/ into its own directory`,
    );
  }
});

t.test('Dockerfile: final stage', async t => {
  const instrs = finalStage?.instrs ?? [];

  const users = instrs.filter(i => i.op === 'USER').map(i => i.args.trim());
  const user = users.at(-1);
  t.ok(user, 'final stage sets USER');
  t.notMatch(user ?? 'root', /^(root|0)(:|$)/, `final USER (${user}) is not root`);

  t.ok(
    instrs.some(i => i.op === 'ENV' && /NODE_ENV[= ]production/.test(i.args)),
    'NODE_ENV=production',
  );

  // Only production dependencies ship: node_modules comes either from a stage
  // that pruned dev deps, or from an --omit=dev install in the final stage.
  const nm = instrs.find(i => i.op === 'COPY' && /node_modules/.test(i.args));
  const fromName = nm ? /--from=(\S+)/.exec(nm.args)?.[1] : undefined;
  const src = fromName === undefined ? undefined : stages.find(s => s.name === fromName || String(stages.indexOf(s)) === fromName);
  const prunedUpstream = src?.instrs.some(i => i.op === 'RUN' && omitDev.test(i.args)) ?? false;
  const installedHere = instrs.some(i => i.op === 'RUN' && omitDev.test(i.args));
  t.ok(prunedUpstream || installedHere, 'node_modules is production-only (npm prune/ci --omit=dev)');
  t.notOk(
    instrs.some(i => i.op === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(i.args) && !/--omit[= ]dev/.test(i.args)),
    'final stage does not install dev dependencies',
  );
  for (const path of ['dist', 'bin', 'package.json']) {
    t.ok(instrs.some(i => i.op === 'COPY' && i.args.includes(path)), `final stage copies ${path}`);
  }

  const dataDir = (appEnv['FUNDTRAIL_DB'] ?? '').replace(/\/[^/]*$/, '');
  t.ok(
    instrs.some(i => i.op === 'RUN' && i.args.includes(dataDir) && new RegExp(`chown\\s+(-\\S+\\s+)*${user}\\b`).test(i.args)),
    `creates ${dataDir} owned by ${user} so the app can write its database`,
  );

  const expose = instrs.filter(i => i.op === 'EXPOSE').flatMap(i => i.args.split(/\s+/));
  t.ok(expose.some(p => p.replace(/\/tcp$/, '') === appEnv['PORT']), 'EXPOSEs the app PORT');

  const cmd = instrs.filter(i => i.op === 'CMD').at(-1)?.args ?? '';
  let argv: string[];
  try {
    const parsed: unknown = JSON.parse(cmd);
    argv = Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    argv = cmd.split(/\s+/);
  }
  t.ok(cmd.trim().startsWith('['), 'CMD uses exec form so node receives stop signals');
  t.equal(argv[0], 'node', 'CMD runs node');
  t.equal(argv.at(-1), 'serve', 'CMD starts `serve`');
});

t.test('.dockerignore keeps local artefacts out of the build context', async t => {
  const entries = read('.dockerignore')
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'));
  for (const e of ['node_modules', 'dist', 'data', '.git']) {
    t.ok(entries.some(x => x.replace(/^\/|\/$/g, '') === e), `ignores ${e}`);
  }
});
