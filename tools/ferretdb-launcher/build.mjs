// Builds the FerretDB launcher binary when it is missing or stale. Plain Node ESM with no
// npm dependencies: scripts/setup.mjs runs it before `npm ci`, and src/db imports it too.
//
// Staleness: a SHA-256 of main.go + go.mod + go.sum (+ platform) is stored next to the
// binary in `<binary>.sha256`; the binary is rebuilt when the hash differs. Checking costs
// a few file reads, no `go` invocation, so machines without Go can still use a built binary.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAUNCHER_SOURCE_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(LAUNCHER_SOURCE_DIR, '..', '..');
export const LAUNCHER_BINARY = join(REPO_ROOT, '.cache', 'bin', 'ferretdb-launcher');
const STAMP = `${LAUNCHER_BINARY}.sha256`;
const SOURCES = ['main.go', 'go.mod', 'go.sum'];

export const GO_MISSING_MESSAGE =
  'Go is required to build the embedded database: install Go ≥ 1.22 or set MONGODB_URI';

/** Hash of the launcher sources; changes whenever the binary must be rebuilt. */
export async function launcherSourceHash() {
  const h = createHash('sha256');
  h.update(`${process.platform}-${process.arch}\n`);
  for (const f of SOURCES) {
    h.update(`${f}\n`);
    h.update(await readFile(join(LAUNCHER_SOURCE_DIR, f)));
  }
  return h.digest('hex');
}

/** True when the binary exists and was built from the current sources. */
export async function isLauncherUpToDate() {
  if (!existsSync(LAUNCHER_BINARY)) return false;
  const stamp = await readFile(STAMP, 'utf8').catch(() => '');
  return stamp.trim() === (await launcherSourceHash());
}

/** Finds the `go` command: $GO, PATH, $GOROOT/bin, /usr/local/go/bin. Returns null when absent. */
export function findGo() {
  const candidates = [];
  if (process.env.GO) candidates.push(process.env.GO);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'go'));
  if (process.env.GOROOT) candidates.push(join(process.env.GOROOT, 'bin', 'go'));
  candidates.push('/usr/local/go/bin/go', join(process.env.HOME ?? '/nonexistent', 'go', 'bin', 'go'));
  return candidates.find((c) => existsSync(c)) ?? null;
}

/**
 * Builds the launcher if needed. Returns { path, built } where built tells whether a build ran.
 * `log(line)` receives short progress lines (only when a build actually happens).
 * Throws Error(GO_MISSING_MESSAGE) when a build is needed and Go is not installed.
 */
export async function ensureLauncherBuilt({ log = () => {} } = {}) {
  if (await isLauncherUpToDate()) return { path: LAUNCHER_BINARY, built: false };
  const go = findGo();
  if (!go) throw new Error(GO_MISSING_MESSAGE);

  const hash = await launcherSourceHash();
  await mkdir(dirname(LAUNCHER_BINARY), { recursive: true });
  // Build to a private temp name then rename: concurrent builds never expose a half-written file.
  const tmp = `${LAUNCHER_BINARY}.tmp-${process.pid}-${Date.now()}`;
  log('building the embedded database (FerretDB launcher, first time can take a few minutes)…');
  const started = Date.now();
  try {
    await run(go, ['build', '-mod=readonly', '-trimpath', '-o', tmp, '.'], LAUNCHER_SOURCE_DIR);
    await rename(tmp, LAUNCHER_BINARY);
    await writeFile(STAMP, `${hash}\n`);
  } finally {
    await rm(tmp, { force: true });
  }
  log(`built ${LAUNCHER_BINARY} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { path: LAUNCHER_BINARY, built: true };
}

function run(cmd, args, cwd) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d) => {
      output += d;
      if (output.length > 20000) output = output.slice(-20000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`go build of the FerretDB launcher failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

// `node tools/ferretdb-launcher/build.mjs` builds (if needed) and prints the binary path.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureLauncherBuilt({ log: (l) => console.error(l) }).then(
    ({ path }) => console.log(path),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
