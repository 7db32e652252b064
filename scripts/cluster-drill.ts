// npm run drill:cluster
// Two service instances behind HAProxy on one embedded FerretDB (scripts/cluster-harness.ts), and
// the promises a cluster must keep: exactly-once binds, one catalogue, one rate limit, nothing
// acknowledged lost when an instance dies. Progress goes to stderr; stdout gets exactly one line:
// cluster: 2 instances behind haproxy; 20 concurrent binds -> <n> policy; publish seen by B in <ms> ms; rate limit shared <used>/<limit>; instance killed under load -> <lost> lost
// Exit code 1 when a goal is missed (1 policy, ≤ 1,000 ms, used ≤ limit, 0 lost, metrics agree).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { startCluster, type Cluster } from './cluster-harness.ts';

export interface DrillOptions {
  binds: number;
  rateLimit: number;
  /** Requests over the limit sent in the rate-limit phase. */
  rateExtra: number;
  /** Quote creations in the kill phase, and after how many acknowledgements instance A dies. */
  killQuotes: number;
  killAfter: number;
  concurrency: number;
  log(line: string): void;
}

export interface DrillResult {
  policies: number;
  bindStatuses: Record<string, number>;
  publishSeenMs: number;
  rateUsed: number;
  rateLimit: number;
  rateStatuses: Record<string, number>;
  acknowledged: number;
  acknowledgedAfterKill: number;
  lost: number;
  retries: number;
  metricsProblems: string[];
  problems: string[];
  pass: boolean;
  line: string;
}

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const DRILL_PRODUCT = 'DRILL-CLUSTER';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const count = (tally: Record<string, number>, key: string | number) => (tally[key] = (tally[key] ?? 0) + 1);

interface Reply { status: number; body: Record<string, unknown> }

/** What the drill sent, by `METHOD route-pattern`, to compare with the instances' /metrics. */
class Client {
  readonly sent: Record<string, number> = {};
  async call(base: string, method: string, path: string, route: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...bearer(key), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(20_000),
    });
    count(this.sent, `${method} ${route}`);
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown> };
  }
}

/** http_requests_total summed over statuses, by `METHOD route`, and rate_limit_rejections_total. */
export async function scrapeCounts(instanceUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${instanceUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const rejections = /^rate_limit_rejections_total (\S+)$/.exec(line);
    if (rejections) counts.rejections = Number(rejections[1]);
    const m = /^http_requests_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    const key = `${labels.method} ${labels.route}`;
    counts[key] = (counts[key] ?? 0) + Number(m[2]);
  }
  return counts;
}

function quoteBody(enterpriseId: string) {
  const product = JSON.parse(readFileSync(`products/${PRODUCT.toLowerCase()}.json`, 'utf8')) as { testVectors: { inputs: unknown; picks?: unknown; expected: { decision: string } }[] };
  const vector = product.testVectors.find((v) => v.expected.decision === 'quoted' && !v.picks)!;
  const startDate = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // today in China
  return { productCode: PRODUCT, enterpriseId, inputs: vector.inputs, startDate };
}

/** 20 concurrent binds of one quote through the load balancer: policies stored for it. */
async function drillBinds(cluster: Cluster, client: Client, enterpriseId: string, o: DrillOptions) {
  const quote = await client.call(cluster.lbUrl, 'POST', '/v1/quotes', '/v1/quotes', cluster.keys.broker, quoteBody(enterpriseId), { 'Idempotency-Key': randomUUID() });
  if (quote.status !== 201) throw new Error(`quote for the binds: ${quote.status} ${JSON.stringify(quote.body)}`);
  const id = String(quote.body.id);
  const replies = await Promise.all(Array.from({ length: o.binds }, () => client.call(cluster.lbUrl, 'POST', `/v1/quotes/${id}/bind`, '/v1/quotes/:id/bind', cluster.keys.broker)));
  const bindStatuses: Record<string, number> = {};
  for (const r of replies) count(bindStatuses, r.status);
  const policies = await mongoose.connection.collection('policies').countDocuments({ quoteId: id });
  o.log(`binds: ${JSON.stringify(bindStatuses)}, ${policies} policy stored`);
  return { policies, bindStatuses };
}

/** A new product created and published through A; ms from A's answer until B's catalogue shows it. */
async function drillPublish(cluster: Cluster, client: Client, o: DrillOptions): Promise<number> {
  const [a, b] = cluster.instances as [Cluster['instances'][number], Cluster['instances'][number]];
  const definition = { ...JSON.parse(readFileSync(`products/${PRODUCT.toLowerCase()}.json`, 'utf8')) as { version: string }, code: DRILL_PRODUCT };
  const admin = cluster.keys.insurerAdmin;
  const created = await client.call(a.url, 'POST', '/v1/products', '/v1/products', admin, { definition });
  if (created.status !== 201) throw new Error(`create ${DRILL_PRODUCT} on A: ${created.status} ${JSON.stringify(created.body)}`);
  const entry = `/v1/catalogue/${DRILL_PRODUCT}`;
  const before = await client.call(b.url, 'GET', entry, '/v1/catalogue/:code', cluster.keys.enterprise);
  if (before.status === 200) throw new Error(`B shows ${DRILL_PRODUCT} before it is published`);
  // The pool's other members accept their shares first (pool consent), as their admins would.
  for (const key of [cluster.keys.otherInsurerAdmin, cluster.keys.poolInsurerAdmin]) {
    const pending = await client.call(a.url, 'GET', '/v1/pool-invitations?status=pending', '/v1/pool-invitations', key);
    for (const invitation of (pending.body.items as { id: string; productCode: string; direction: string }[]).filter((i) => i.productCode === DRILL_PRODUCT && i.direction === 'received')) {
      const accepted = await client.call(a.url, 'POST', `/v1/pool-invitations/${invitation.id}/accept`, '/v1/pool-invitations/:id/accept', key);
      if (accepted.status !== 200) throw new Error(`accept ${DRILL_PRODUCT}'s share: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    }
  }
  // Four-eyes publishing: one admin submits, the insurer's second admin publishes.
  const submitted = await client.call(a.url, 'POST', `/v1/products/${DRILL_PRODUCT}/versions/${definition.version}/submit`, '/v1/products/:code/versions/:version/submit', admin);
  if (submitted.status !== 200) throw new Error(`submit on A: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const published = await client.call(a.url, 'POST', `/v1/products/${DRILL_PRODUCT}/versions/${definition.version}/publish`, '/v1/products/:code/versions/:version/publish', cluster.keys.secondInsurerAdmin);
  if (published.status !== 200) throw new Error(`publish on A: ${published.status} ${JSON.stringify(published.body)}`);
  const at = Date.now();
  // Every 20 ms for the first second, then every 250 ms, for at most 10 s (about 85 requests).
  while (Date.now() - at < 10_000) {
    const seen = await client.call(b.url, 'GET', entry, '/v1/catalogue/:code', cluster.keys.enterprise);
    if (seen.status === 200 && seen.body.version === definition.version) {
      o.log(`publish on A seen by B after ${Date.now() - at} ms`);
      return Date.now() - at;
    }
    await sleep(Date.now() - at < 1000 ? 20 : 250);
  }
  return -1;
}

/** limit + extra requests of one fresh key through the load balancer: how many were let through. */
async function drillRateLimit(cluster: Cluster, client: Client, key: string, o: DrillOptions) {
  // Fixed one-minute windows: start in a fresh one if this one has less than 5 s left.
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) {
    o.log(`waiting ${Math.round(left / 1000)} s for a fresh rate-limit window`);
    await sleep(left + 200);
  }
  const total = o.rateLimit + o.rateExtra;
  const rateStatuses: Record<string, number> = {};
  let next = 0;
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (next < total) {
      next++;
      count(rateStatuses, (await client.call(cluster.lbUrl, 'GET', `/v1/catalogue/${PRODUCT}`, '/v1/catalogue/:code', key)).status);
    }
  }));
  const rateUsed = Object.entries(rateStatuses).filter(([s]) => s.startsWith('2')).reduce((a, [, n]) => a + n, 0);
  o.log(`rate limit: ${JSON.stringify(rateStatuses)} for ${total} requests, limit ${o.rateLimit}`);
  return { rateUsed, rateStatuses };
}

/** Quote creations through the load balancer while instance A is SIGKILLed; acknowledged ones checked in the database. */
async function drillKill(cluster: Cluster, key: string, enterpriseId: string, o: DrillOptions) {
  const a = cluster.instances[0]!;
  const body = quoteBody(enterpriseId);
  const acknowledged = new Map<string, string>(); // Idempotency-Key → quote id
  const problems: string[] = [];
  let retries = 0;
  let killedAt = 0;
  let ackAfterKill = 0;
  let next = 0;
  const createOne = async (idempotencyKey: string) => {
    // As a client would: the same Idempotency-Key again after a lost connection or a 502/503/504 from the balancer.
    for (let attempt = 0; attempt < 30; attempt++) {
      let reply: Reply | undefined;
      try {
        const res = await fetch(`${cluster.lbUrl}/v1/quotes`, { method: 'POST', headers: { ...bearer(key), 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
        reply = { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
      } catch {
        reply = undefined;
      }
      if (reply && (reply.status === 201 || reply.status === 200)) {
        const id = String(reply.body.id);
        const earlier = acknowledged.get(idempotencyKey);
        if (earlier && earlier !== id) problems.push(`${idempotencyKey} acknowledged as ${earlier} and ${id}`);
        acknowledged.set(idempotencyKey, id);
        if (killedAt) ackAfterKill++;
        return;
      }
      if (reply && ![502, 503, 504].includes(reply.status)) {
        problems.push(`quote ${idempotencyKey}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
        return;
      }
      retries++;
      await sleep(100);
    }
    problems.push(`quote ${idempotencyKey}: no answer after 30 attempts`);
  };
  const runId = randomUUID().slice(0, 8);
  const workers = Array.from({ length: o.concurrency }, async () => {
    while (next < o.killQuotes) await createOne(`cluster-${runId}-${next++}`);
  });
  const killer = (async () => {
    const deadline = Date.now() + 60_000;
    while (acknowledged.size < o.killAfter && next < o.killQuotes && Date.now() < deadline) await sleep(5);
    a.child.kill('SIGKILL');
    killedAt = Date.now();
    o.log(`instance A killed (SIGKILL) after ${acknowledged.size} acknowledged quotes`);
  })();
  await Promise.all([...workers, killer]);
  const ids = [...new Set(acknowledged.values())].map((id) => new mongoose.Types.ObjectId(id));
  const stored = await mongoose.connection.collection('quotes').countDocuments({ _id: { $in: ids } });
  const lost = ids.length - stored;
  o.log(`kill: ${acknowledged.size}/${o.killQuotes} acknowledged (${ackAfterKill} after the kill), ${retries} retries, ${lost} lost`);
  return { acknowledged: acknowledged.size, acknowledgedAfterKill: ackAfterKill, lost, retries, problems };
}

/** Every request the drill sent to a route, summed over both instances' /metrics, before and after. */
function compareMetrics(sent: Record<string, number>, before: Record<string, number>[], after: Record<string, number>[], rejections: number): string[] {
  const problems: string[] = [];
  const delta = (key: string) => after.reduce((sum, counts, i) => sum + (counts[key] ?? 0) - (before[i]![key] ?? 0), 0);
  for (const [key, n] of Object.entries(sent)) if (delta(key) !== n) problems.push(`${key}: sent ${n}, the instances counted ${delta(key)}`);
  if (delta('rejections') !== rejections) problems.push(`rate_limit_rejections_total: ${delta('rejections')}, the drill got ${rejections} 429s`);
  const bindsPerInstance = after.map((counts, i) => (counts['POST /v1/quotes/:id/bind'] ?? 0) - (before[i]!['POST /v1/quotes/:id/bind'] ?? 0));
  if (bindsPerInstance.some((n) => n === 0)) problems.push(`binds not spread over both instances: ${bindsPerInstance.join(' and ')}`);
  return problems;
}

async function issueKey(cluster: Cluster, organisationId: string, userName: string): Promise<string> {
  const res = await fetch(`${cluster.lbUrl}/v1/organisations/${organisationId}/api-keys`, { method: 'POST', headers: { ...bearer(cluster.keys.platformAdmin), 'Content-Type': 'application/json' }, body: JSON.stringify({ userName, role: 'broker' }) });
  const body = (await res.json()) as { apiKey?: string };
  if (res.status !== 201 || !body.apiKey) throw new Error(`issuing a key: ${res.status} ${JSON.stringify(body)}`);
  return body.apiKey;
}

/** Runs every phase on a fresh cluster and stops it, also on failure. */
export async function runClusterDrill(o: DrillOptions): Promise<DrillResult> {
  const cluster = await startCluster({ env: { RATE_LIMIT_PER_MINUTE: String(o.rateLimit) }, log: o.log });
  try {
    await mongoose.connect(cluster.databaseUri, { serverSelectionTimeoutMS: 10_000 });
    const orgs = (await (await fetch(`${cluster.lbUrl}/v1/organisations`, { headers: bearer(cluster.keys.platformAdmin) })).json()) as { items: { id: string; code: string }[] };
    const enterpriseId = orgs.items.find((org) => org.code === 'HZZZ')!.id;
    const brokerOrgId = orgs.items.find((org) => org.code === 'MXB')!.id;
    const rateKey = await issueKey(cluster, brokerOrgId, 'cluster drill: rate limit');
    const killKey = await issueKey(cluster, brokerOrgId, 'cluster drill: kill');
    const client = new Client();
    const before = await Promise.all(cluster.instances.map((i) => scrapeCounts(i.url)));
    const binds = await drillBinds(cluster, client, enterpriseId, o);
    const publishSeenMs = await drillPublish(cluster, client, o);
    const rate = await drillRateLimit(cluster, client, rateKey, o);
    const after = await Promise.all(cluster.instances.map((i) => scrapeCounts(i.url)));
    const metricsProblems = compareMetrics(client.sent, before, after, rate.rateStatuses['429'] ?? 0);
    o.log(`metrics: ${metricsProblems.length === 0 ? `both instances counted every request the drill sent (${Object.values(client.sent).reduce((x, y) => x + y, 0)})` : metricsProblems.join('; ')}`);
    const kill = await drillKill(cluster, killKey, enterpriseId, o);
    const bAfterKill = await scrapeCounts(cluster.instances[1]!.url);
    const bQuotes = (bAfterKill['POST /v1/quotes'] ?? 0) - (after[1]!['POST /v1/quotes'] ?? 0);
    if (bQuotes < kill.acknowledgedAfterKill) metricsProblems.push(`B counted ${bQuotes} quote creations, fewer than the ${kill.acknowledgedAfterKill} acknowledged after A died`);
    const pass = binds.policies === 1 && publishSeenMs >= 0 && publishSeenMs <= 1000 && rate.rateUsed <= o.rateLimit && kill.lost === 0 && kill.acknowledgedAfterKill > 0 && kill.problems.length === 0 && metricsProblems.length === 0;
    const line = `cluster: ${cluster.instances.length} instances behind haproxy; ${o.binds} concurrent binds -> ${binds.policies} policy; publish seen by B in ${publishSeenMs} ms; rate limit shared ${rate.rateUsed}/${o.rateLimit}; instance killed under load -> ${kill.lost} lost`;
    return { ...binds, publishSeenMs, ...rate, rateLimit: o.rateLimit, ...kill, metricsProblems, pass, line };
  } finally {
    await mongoose.disconnect().catch(() => {});
    await cluster.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (line: string) => process.stderr.write(`drill: ${line}\n`);
  const stopSoon = setTimeout(() => {
    log('the drill took over 10 minutes: giving up');
    process.exit(2); // the cluster's children are killed by its exit hook (scripts/cluster-harness.ts)
  }, 600_000);
  stopSoon.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  try {
    const result = await runClusterDrill({ binds: 20, rateLimit: 100, rateExtra: 40, killQuotes: 70, killAfter: 25, concurrency: 6, log });
    log(JSON.stringify({ ...result, line: undefined }));
    process.stdout.write(`${result.line}\n`);
    process.exit(result.pass ? 0 : 1);
  } catch (err) {
    log(`failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  }
}
