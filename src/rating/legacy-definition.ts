// Product versions published before every band table had to say what happens outside its bands
// (#29) are immutable and may still be pinned by quotes. They are read with what the engine did
// then, minus the off-tariff price: a table without a rule refused such a value (it still does);
// a `noMatch` that referred or declined at a provisional coefficient now declines by the step's
// key with the filed reason, so nothing is priced and no underwriter can approve it. New drafts
// get no such help: the compiler refuses a table that leaves the rule unsaid.

interface LegacyStep {
  kind?: unknown;
  key?: unknown;
  noMatch?: { reason?: unknown };
  outsideBands?: unknown;
}

function upgradeStep(step: LegacyStep): LegacyStep {
  if (step.kind !== 'bands' || step.outsideBands !== undefined) return step;
  const { noMatch, ...rest } = step;
  if (!noMatch) return { ...rest, outsideBands: { action: 'refuse' } };
  return { ...rest, outsideBands: { action: 'decline', rule: String(step.key), reason: noMatch.reason } };
}

/** A stored (published or retired) definition in today's format; anything else is returned as it is. */
export function upgradeStoredDefinition(definition: unknown): unknown {
  const d = definition as { plan?: { steps?: unknown; period?: { table?: unknown } } } | null;
  if (!d || typeof d !== 'object' || !d.plan || !Array.isArray(d.plan.steps)) return definition;
  const steps = (d.plan.steps as LegacyStep[]).map((s) => (s && typeof s === 'object' ? upgradeStep(s) : s));
  const table = d.plan.period?.table as LegacyStep | undefined;
  const period = table && typeof table === 'object' ? { ...d.plan.period, table: upgradeStep({ ...table, kind: 'bands' }) } : d.plan.period;
  return { ...d, plan: { ...d.plan, steps, period } };
}
