// Builds the FerretDB launcher binary when it is missing or stale. Plain Node ESM with no
// npm dependencies: scripts/setup.mjs runs it before `npm ci`, and src/db imports it too.
//
// Staleness: a SHA-256 of main.go + go.mod + go.sum + the patches below (+ platform) is stored
// next to the binary in `<binary>.sha256`; the binary is rebuilt when the hash differs. Checking
// costs a few file reads, no `go` invocation, so machines without Go can still use a built binary.
//
// The build vendors the pinned modules into a private temp folder (`go mod vendor` verifies them
// against go.sum), applies PATCHES to the vendored FerretDB sources, builds with -mod=vendor and
// deletes the folder. A patch whose text is not found fails the build: it never silently lapses.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAUNCHER_SOURCE_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(LAUNCHER_SOURCE_DIR, '..', '..');
export const LAUNCHER_BINARY = join(REPO_ROOT, '.cache', 'bin', 'ferretdb-launcher');
const STAMP = `${LAUNCHER_BINARY}.sha256`;
const SOURCES = ['main.go', 'go.mod', 'go.sum'];

/**
 * Source patches applied to the vendored FerretDB v1.24.2 before building.
 * Each: the vendored file, the exact text to find, its replacement, how many times the text occurs
 * (`count`, 1 unless said; each occurrence is replaced), and why.
 */
export const PATCHES = [
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata/metadata.go',
    find: `IDColumn = DefaultColumn + "->'$._id'"`,
    replace: 'IDColumn = DefaultColumn + `->"_id"`',
    why:
      'FerretDB 1.24 creates the unique _id index of every SQLite table on the expression ' +
      '_ferretdb_sjson->"_id" but filters, updates and deletes by _id with _ferretdb_sjson->\'$._id\'. ' +
      'SQLite only uses an expression index for the identical expression, so every _id lookup ' +
      'scanned and parsed the whole table (18 ms for one 8 kB document among 5,000; 1.8 ms with ' +
      'this patch). Both expressions extract the same value, so stored data is unchanged and ' +
      'readable by an unpatched FerretDB.',
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_insert.go',
    find: `			if params.Ordered {
				break
			}
		}
	}

	res := must.NotFail(types.NewDocument(`,
    replace: `			if params.Ordered {
				break
			}
		}

		if params.Ordered && len(writeErrors) > 0 {
			break
		}
	}

	res := must.NotFail(types.NewDocument(`,
    why:
      'FerretDB 1.24 writes an insert in batches of 100 and, in an ordered insert, a duplicate key ' +
      'ended only its batch: the next batch was still written (measured: 150 documents led by a ' +
      'duplicate wrote 50), leaving a gap behind the error where MongoDB stops. An ordered insert ' +
      'now stops at its first error, as MongoDB\'s does, so a keyed log\'s entries can go in one insert.',
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `	q += whereClause
	q += prepareOrderByClause(params.Sort)`,
    replace: `	if whereClause == "" {
		whereClause, args = idInWhereClause(params.Filter)
	}

	q += whereClause
	q += prepareOrderByClause(params.Sort)`,
    why:
      'FerretDB 1.24 on SQLite pushes down only { _id: <string> }: a find of { _id: { $in: [...] } } ' +
      'decoded every document of the collection. With the function below it reads the listed ids ' +
      'from the _id index (one command for a page of 100 summaries instead of 100). The handler ' +
      'still applies the whole filter to what comes back, as for every pushdown.',
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `// InsertAll implements backends.Collection interface.`,
    replace: `// idInWhereClause returns a WHERE clause for a filter that is exactly { _id: { $in: [ids] } }, the ids
// strings or ObjectIDs (at most 1,000), and "" for any other filter (techins patch).
func idInWhereClause(filter *types.Document) (string, []any) {
	if filter.Len() != 1 {
		return "", nil
	}

	v, _ := filter.Get("_id")
	op, ok := v.(*types.Document)
	if !ok || op.Len() != 1 {
		return "", nil
	}

	in, _ := op.Get("$in")
	ids, ok := in.(*types.Array)
	if !ok || ids.Len() == 0 || ids.Len() > 1000 {
		return "", nil
	}

	args := make([]any, 0, ids.Len())
	for i := 0; i < ids.Len(); i++ {
		id := must.NotFail(ids.Get(i))
		switch id.(type) {
		case string, types.ObjectID:
			args = append(args, string(must.NotFail(sjson.MarshalSingleValue(id))))
		default:
			return "", nil
		}
	}

	return fmt.Sprintf(\` WHERE %s IN (%s)\`, metadata.IDColumn, strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")), args
}

// InsertAll implements backends.Collection interface.`,
    why: 'The function the $in pushdown above calls.',
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `\torderByClause := prepareOrderByClause(params.Sort)
\tsortPushdown := orderByClause != ""`,
    replace: `\tif whereClause == "" {
\t\twhereClause, args = idInWhereClause(params.Filter)
\t}

\torderByClause := prepareOrderByClause(params.Sort)
\tsortPushdown := orderByClause != ""`,
    why: 'explain shows the query plan of the $in pushdown above (test/db/unique-index.test.ts checks it).',
  },
  ...['db', 'tx'].flatMap((receiver) => ['>>>', '<<<'].map((arrow) => ({
    file: `vendor/github.com/FerretDB/FerretDB/internal/util/fsql/${receiver}.go`,
    find: `\t${receiver}.l.With(fields...).DebugContext(ctx, fmt.Sprintf("${arrow} %s", query))\n`,
    replace: `\tif ${receiver}.l.Enabled(ctx, slog.LevelDebug) {\n\t\t${receiver}.l.With(fields...).DebugContext(ctx, fmt.Sprintf("${arrow} %s", query))\n\t}\n`,
    count: 3,
    why:
      'FerretDB 1.24 logs every SQL statement at debug level before and after it runs, but builds the ' +
      'message first whatever the level: slog\'s With on a text handler formats its attributes at once, ' +
      'so each insert quoted its arguments, the documents\' JSON, twice (11.6 % of FerretDB\'s CPU ' +
      'during a bulk load, perf record at 100k quotes). The statements are now formatted only when ' +
      'debug logging is on, as FerretDB\'s own connection logging already does (clientconn/conn.go).',
  }))),
];

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
  for (const p of PATCHES) h.update(`patch ${p.file}\n${p.find}\n${p.replace}\n${p.count ?? 1}\n`);
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
  // Build in a private folder and to a private temp name, then rename: concurrent builds never
  // share a work folder or expose a half-written file.
  const unique = `${process.pid}-${Date.now()}`;
  const tmp = `${LAUNCHER_BINARY}.tmp-${unique}`;
  const work = join(REPO_ROOT, '.cache', `ferretdb-build-${unique}`);
  log('building the embedded database (FerretDB launcher, first time can take a few minutes)…');
  const started = Date.now();
  try {
    await mkdir(work, { recursive: true });
    for (const f of SOURCES) await copyFile(join(LAUNCHER_SOURCE_DIR, f), join(work, f));
    await run(go, ['mod', 'vendor'], work);
    for (const p of PATCHES) {
      const file = join(work, p.file);
      const text = await readFile(file, 'utf8');
      const found = text.split(p.find).length - 1;
      if (found !== (p.count ?? 1)) throw new Error(`FerretDB launcher build: patch target found ${found} times (expected ${p.count ?? 1}) in ${p.file}: ${p.find}`);
      await writeFile(file, text.replaceAll(p.find, () => p.replace));
    }
    await run(go, ['build', '-mod=vendor', '-trimpath', '-o', tmp, '.'], work);
    await rename(tmp, LAUNCHER_BINARY);
    await writeFile(STAMP, `${hash}\n`);
  } finally {
    await rm(tmp, { force: true });
    await rm(work, { recursive: true, force: true });
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
      else reject(new Error(`go ${args[0]} of the FerretDB launcher failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
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
