// The subsidy layers a policy's applications are for: those of its terms now, after its latest
// change (#26). An endorsement re-rates every layer on the new terms and a cancellation recomputes
// them on the premium kept; each kind announces its PolicyChange, whose `layersAfter` are "the
// policy's layers from now on" (src/policies/policy-changes.ts). So an application submitted
// after an endorsement applies for the new amount, one after a cancellation for the amount on
// the premium kept — the amounts the ledger and the subsidy year already count.
import type { PolicyView } from '../policies/policy-service.ts';
import { changesOf, type PolicyChange } from '../policies/policy-changes.ts';
import type { SubsidyLayer } from '../rating/index.ts';
import { stepId, SubsidyApplicationStepModel } from './subsidy-application-model.ts';

/** The premium the layers were computed on: as issued, the terms in force, or the premium kept. */
export interface LayerPremium {
  grossPremiumFen: number;
  netPremiumFen: number;
  vatFen: number;
}

export interface CurrentLayers {
  /** Every layer of the policy now (the latest change's `layersAfter`, else as issued). */
  layers: SubsidyLayer[];
  /** The premium those layers were computed on. */
  premium: LayerPremium;
  /** The latest change the layers come from (absent: as issued). */
  change?: Pick<PolicyChange, 'kind' | 'ref' | 'effectiveDate'>;
}

/** The premium of the terms now: kept on cancellation, the current version's after an endorsement, else as issued. */
function premiumNow(policy: PolicyView): LayerPremium {
  const source = policy.cancellation?.kept ?? policy.current ?? policy;
  return { grossPremiumFen: source.grossPremiumFen, netPremiumFen: source.netPremiumFen, vatFen: source.vatFen };
}

/** The policy's layers after its latest change (a few `_id` reads of its change log). */
export async function currentLayers(policy: PolicyView, changes?: readonly PolicyChange[]): Promise<CurrentLayers> {
  const latest = (changes ?? await changesOf(policy.id)).at(-1);
  if (!latest) return { layers: [...(policy.result.subsidies.layers as SubsidyLayer[])], premium: premiumNow(policy) };
  return { layers: [...latest.layersAfter], premium: premiumNow(policy), change: { kind: latest.kind, ref: latest.ref, effectiveDate: latest.effectiveDate } };
}

/** A layer at nothing: a programme the policy no longer qualifies for after a change (e.g. below a minimum premium). */
const nothingOf = (layer: SubsidyLayer): SubsidyLayer => ({ ...layer, countedPremiumFen: 0, uncappedFen: 0, amountFen: 0, caps: [], capBit: false });

/**
 * The layers that carry an application now: those with an amount, and those that fell to nothing
 * after a change but whose application was already submitted (it stays listed and reviewable,
 * expecting nothing; a granted amount above it is to be repaid). A layer at nothing that was
 * never submitted carries no application.
 */
export async function applicationLayersNow(policy: PolicyView): Promise<{ layers: SubsidyLayer[]; current: CurrentLayers }> {
  const changes = await changesOf(policy.id);
  const current = await currentLayers(policy, changes);
  if (!current.change) return { layers: current.layers.filter((l) => l.amountFen > 0), current };
  const earlier = new Map((policy.result.subsidies.layers as SubsidyLayer[]).filter((l) => l.amountFen > 0).map((l) => [l.programme, l]));
  for (const change of changes) for (const l of change.layersAfter) if (l.amountFen > 0) earlier.set(l.programme, l);
  const now = new Map(current.layers.map((l) => [l.programme, l]));
  const layers: SubsidyLayer[] = [];
  for (const layer of [...current.layers, ...[...earlier.values()].filter((l) => !now.has(l.programme)).map(nothingOf)]) {
    if (layer.amountFen > 0) layers.push(layer);
    else if (earlier.has(layer.programme) && await SubsidyApplicationStepModel.exists({ _id: stepId(policy.id, layer.programme, 'submitted') })) layers.push(layer);
  }
  return { layers, current };
}
