import type supertest from 'supertest';
import { bearer } from './test-app.ts';
import { today } from './china-date.ts';

type Http = ReturnType<typeof supertest>;

/**
 * Records the premium outstanding on a policy as received, as its lead insurer's staff (`insurerKey`):
 * a subsidy application can be submitted only once the premium is fully received (#26).
 */
export async function payInFull(http: Http, insurerKey: string, policyId: string, reference = `FULL-${policyId}`): Promise<void> {
  const premium = await http.get(`/v1/policies/${policyId}/payments`).set(bearer(insurerKey));
  if (premium.status !== 200) throw new Error(`premium of ${policyId}: ${premium.status} ${JSON.stringify(premium.body)}`);
  const outstanding = premium.body.premiumOutstandingFen as number;
  if (outstanding === 0) return;
  const paid = await http.post(`/v1/policies/${policyId}/payments`).set(bearer(insurerKey)).send({ amountFen: outstanding, receivedOn: today(), reference });
  if (paid.status !== 201 && paid.status !== 200) throw new Error(`payment on ${policyId}: ${paid.status} ${JSON.stringify(paid.body)}`);
}
