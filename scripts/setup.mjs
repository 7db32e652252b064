#!/usr/bin/env node
// Idempotent set-up for `npm start` (--for start) and `npm test` (--for test).
// Plain Node ESM with NO npm dependencies: it runs before `npm ci`.
// Fast (well under a second) when everything is in place; prints only when it does something.
//
//  1. npm ci      when node_modules is missing or package-lock.json changed since the last install,
//                 or always with --clean-install (after removing node_modules); never any other install
//  2. apt-get     chromium-headless-shell, fonts-wqy-zenhei, poppler-utils (PDF rendering + tests), as root;
//                 then the document font (.cache/fonts, scripts/document-font.mjs) generated from Zen Hei;
//                 for --for test also haproxy (the load balancer of `npm run drill:cluster` and its test)
//  3. go build    the embedded FerretDB launcher, unless MONGODB_URI (or TEST_MONGODB_URI for tests) is set
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ensureDocumentFont } from './document-font.mjs';
import { ensureLauncherBuilt, findGo, GO_MISSING_MESSAGE, isLauncherUpToDate, REPO_ROOT } from '../tools/ferretdb-launcher/build.mjs';

const args = process.argv.slice(2);
const forIndex = args.indexOf('--for');
const purpose = forIndex >= 0 ? args[forIndex + 1] : 'start';
const cleanInstall = args.includes('--clean-install');
if (purpose !== 'start' && purpose !== 'test') {
  fail(`unknown --for ${purpose}: use --for start or --for test`);
}

const log = (line) => console.error(`setup: ${line}`);

function fail(sentence) {
  console.error(`setup: ${sentence}`);
  process.exit(1);
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, cmd)));
}

function run(cmd, cmdArgs, env = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  if (r.error) return `${cmd} could not run: ${r.error.message}`;
  if (r.status !== 0) return `\`${[cmd, ...cmdArgs].join(' ')}\` failed (${r.signal ?? `exit ${r.status}`})`;
  return null;
}

// ---------------------------------------------------------------- 1. node_modules
// Only ever `npm ci`: the install is exactly the lock file, or set-up stops with npm's error.
// `--clean-install` (used by .ci/run) removes node_modules first, as on a fresh clone.
function ensureNodeModules() {
  const lockFile = join(REPO_ROOT, 'package-lock.json');
  const nodeModules = join(REPO_ROOT, 'node_modules');
  const stamp = join(nodeModules, '.setup-package-lock.sha256');
  const npmState = join(nodeModules, '.package-lock.json');
  const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');

  if (cleanInstall) {
    log('removing node_modules for a clean `npm ci` (--clean-install)');
    rmSync(nodeModules, { recursive: true, force: true });
  } else {
    if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === lockHash && existsSync(npmState)) return;
    // Installed by hand (no stamp yet) and npm's own record is newer than the lock file: trust it.
    if (!existsSync(stamp) && existsSync(npmState) && statSync(npmState).mtimeMs >= statSync(lockFile).mtimeMs) {
      writeFileSync(stamp, `${lockHash}\n`);
      return;
    }
    log(existsSync(nodeModules) ? 'package-lock.json changed: running npm ci' : 'installing npm packages (npm ci)');
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const err = run(npm, ['ci', '--no-audit', '--no-fund']);
  if (err) fail(`${err}: fix the error above (a lock file out of step with package.json is fixed by \`npm install\` and committing package-lock.json), then run \`npm run setup\`.`);
  writeFileSync(stamp, `${lockHash}\n`);
}

// ---------------------------------------------------------------- 2. system packages
// Debian puts haproxy in /usr/sbin, which is not on every user's PATH.
function haproxyFound() {
  const configured = process.env.HAPROXY_PATH;
  return configured ? existsSync(configured) : onPath('haproxy') || existsSync('/usr/sbin/haproxy');
}

function missingSystemPackages() {
  const missing = [];
  const chromePath = process.env.CHROME_PATH;
  if (!(chromePath && existsSync(chromePath)) && !existsSync('/usr/bin/chromium-headless-shell')) {
    missing.push('chromium-headless-shell');
  }
  if (!existsSync('/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc')) missing.push('fonts-wqy-zenhei');
  if (!onPath('pdftotext') || !onPath('pdffonts')) missing.push('poppler-utils');
  if (purpose === 'test' && !haproxyFound()) missing.push('haproxy');
  return missing;
}

function ensureSystemPackages() {
  const missing = missingSystemPackages();
  if (missing.length === 0) return;
  const list = missing.join(' ');
  const chromeHint =
    (missing.includes('chromium-headless-shell') ? ', or set CHROME_PATH to a Chromium binary' : '') +
    (missing.includes('haproxy') ? ', or set HAPROXY_PATH to an haproxy binary (only the cluster drill needs it)' : '');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    const why = isRoot ? 'apt-get is not available' : 'this user is not root';
    const verb = missing.length === 1 ? 'is' : 'are';
    fail(`${list} ${verb} missing and ${why}: run \`sudo apt-get install ${list}\`${chromeHint}.`);
  }
  log(`installing ${list} (apt-get)`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const err =
    run('apt-get', ['update', '-qq'], env) ??
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], env);
  if (err) fail(`${err} while installing ${list}: run \`apt-get install ${list}\` by hand${chromeHint}.`);
  const still = missingSystemPackages();
  if (still.length > 0) fail(`${still.join(' ')} still missing after apt-get install: check the output above${chromeHint}.`);
}

// Zen Hei rewritten with the documents' glyphs first, and a fontconfig file that adds it: Chromium
// embeds it in PDFs far faster than the system font (docs/pdf.md, "Fonts"). Without it the PDFs
// are the same apart from the font name and slower to render, so a failure here only warns.
function ensureDocumentFontGenerated() {
  let result;
  try {
    result = ensureDocumentFont(REPO_ROOT, { log });
  } catch (err) {
    log(`could not generate the document font (${err instanceof Error ? err.message : String(err)}): PDFs will use the system WenQuanYi Zen Hei, which is slower to embed. Delete .cache/fonts and run \`npm run setup\` to retry.`);
    return;
  }
  if (result.status === 'missing-source') {
    log(`${result.message}: PDFs will use whatever CJK font fontconfig finds. Run \`apt-get install fonts-wqy-zenhei\`, then \`npm run setup\`.`);
    return;
  }
  if (result.status === 'generated' && onPath('fc-cache')) {
    // Build fontconfig's cache for the new font now rather than in the first Chromium launch.
    run('fc-cache', [join(REPO_ROOT, '.cache', 'fonts')], { FONTCONFIG_FILE: result.confPath });
  }
}

// ---------------------------------------------------------------- 3. embedded database
async function ensureDatabase() {
  if (process.env.MONGODB_URI || (purpose === 'test' && process.env.TEST_MONGODB_URI)) return;
  if (await isLauncherUpToDate()) return;
  if (!findGo()) fail(`${GO_MISSING_MESSAGE} (e.g. \`apt-get install golang\`, or https://go.dev/dl/).`);
  try {
    await ensureLauncherBuilt({ log });
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}`);
  }
}

const started = Date.now();
ensureNodeModules();
ensureSystemPackages();
ensureDocumentFontGenerated();
await ensureDatabase();
if (Date.now() - started > 2000) log(`ready for npm ${purpose} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
