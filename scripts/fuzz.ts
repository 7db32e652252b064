// npm run fuzz -- --count N [--seed S] [--concurrency C] [--json report.json]
// Runs the fuzz engine of test/hardening against a whole service in this process on a throw-away
// embedded FerretDB. Exit code 1 when any request got a 5xx, an error outside the JSON shape or
// no answer, or when the service stopped answering. Replay one case with --from I --count 1.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { allRoutes } from '../src/app.ts';
import { runFuzz } from '../test/hardening/fuzz-engine.ts';
import { prepareFuzzTarget } from '../test/hardening/fuzz-target.ts';
import { startHarness } from '../test/hardening/harness.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '20261122' },
    concurrency: { type: 'string', default: '8' },
    json: { type: 'string' },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run fuzz -- --count N [--seed S] [--concurrency C] [--json file]\n');
  process.exit(2);
}

let crashed: unknown;
process.on('uncaughtException', (err) => (crashed = err));
process.on('unhandledRejection', (err) => (crashed = err));

// The limiters would answer most of a long run with 429 (its wrong keys all come from 127.0.0.1); they have their own tests.
const harness = await startHarness({ RATE_LIMIT_PER_MINUTE: '0', AUTH_FAILURES_PER_MINUTE: '0', API_KEY_CACHE_MS: '5000', LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'silent' });
try {
  const target = await prepareFuzzTarget(harness.baseUrl, harness.keys, harness.organisations, harness.config.BODY_LIMIT);
  const report = await runFuzz({
    routes: allRoutes(),
    target,
    count,
    seed,
    concurrency: Number(values.concurrency),
    onProgress: (done, r) => process.stderr.write(`  ${done}/${count} requests, ${r.fiveXx} 5xx, ${r.shapeViolations} shape, ${r.transportErrors} transport\n`),
  });
  const healthz = await fetch(`${harness.baseUrl}/healthz`).then((r) => r.status, () => 0);
  const result = { ...report, healthzAfter: healthz, crashed: crashed ? String(crashed) : null, routes: allRoutes().length };
  if (values.json) await writeFile(values.json, JSON.stringify(result, null, 2));
  process.stdout.write(`${JSON.stringify({ ...result, failures: result.failures.slice(0, 10) }, null, 2)}\n`);
  process.stdout.write(`fuzz: ${report.requests} requests (seed ${seed}) over ${result.routes} routes in ${(report.durationMs / 1000).toFixed(1)} s: ${report.fiveXx} 5xx, ${report.shapeViolations} outside the error shape, ${report.transportErrors} without answer; /healthz after: ${healthz}\n`);
  process.exitCode = report.fiveXx + report.shapeViolations + report.transportErrors === 0 && healthz === 200 && !crashed ? 0 : 1;
} finally {
  await harness.stop();
}
process.exit(process.exitCode ?? 0);
