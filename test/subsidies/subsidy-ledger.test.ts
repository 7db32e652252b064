// The subsidy ledger read every quote makes: entries are immutable and gap-free, so a reader keeps
// those it found and probes only from the next one; entries written since (here or by another
// instance) are still counted.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { recordPolicySubsidies, recordSubsidyOutcome, subsidiesRecorded, subsidiesRecordedOf } from '../../src/subsidies/subsidy-ledger.ts';
import { useTestApp } from '../support/test-app.ts';

describe('subsidies: the ledger as quotes read it', () => {
  const t = useTestApp();
  const enterpriseId = () => t.organisations.HZZZ!;
  const policy = (n: number, amountFen: number) => ({ id: `ledger-test-policy-${n}`, enterpriseId: enterpriseId(), startDate: '2031-03-01', subsidies: [{ programme: 'CN-FIRST-SET', amountFen }] });

  it('counts entries added after an earlier read, by this process or written by another', async () => {
    expect(await subsidiesRecorded(enterpriseId(), '2031')).to.deep.equal([]);
    await recordPolicySubsidies(policy(1, 100_00));
    expect(await subsidiesRecorded(enterpriseId(), '2031')).to.deep.equal([{ programme: 'CN-FIRST-SET', amountFen: 100_00 }]);
    // Another instance appends entry 1 (the next free n) straight into the collection.
    await mongoose.connection.collection('subsidyLedger').insertOne({ _id: `${enterpriseId()}:2031:1` as never, enterpriseId: enterpriseId(), year: '2031', policyId: 'elsewhere', kind: 'policy', subsidies: [{ programme: 'CN-FIRST-SET', amountFen: 50_00 }] });
    expect(await subsidiesRecorded(enterpriseId(), '2031')).to.deep.equal([{ programme: 'CN-FIRST-SET', amountFen: 150_00 }]);
    // An outcome lowers the expected amount (granted 60 of 100).
    await recordSubsidyOutcome({ policyId: 'ledger-test-policy-1', enterpriseId: enterpriseId(), startDate: '2031-03-01', programme: 'CN-FIRST-SET', expectedFen: 100_00, grantedFen: 60_00 });
    expect(await subsidiesRecorded(enterpriseId(), '2031')).to.deep.equal([{ programme: 'CN-FIRST-SET', amountFen: 110_00 }]);
    // Recording the same policy again adds nothing, and the year stays apart from others.
    await recordPolicySubsidies(policy(1, 100_00));
    expect(await subsidiesRecorded(enterpriseId(), '2031')).to.deep.equal([{ programme: 'CN-FIRST-SET', amountFen: 110_00 }]);
    expect(await subsidiesRecorded(enterpriseId(), '2032')).to.deep.equal([]);
  });

  it('reads each entry once: later reads look up only the next one', async () => {
    await recordPolicySubsidies(policy(2, 10_00));
    await subsidiesRecorded(enterpriseId(), '2031');
    const ids: unknown[] = [];
    // mongoose's debug hook sees every query it sends.
    mongoose.set('debug', (collection: string, method: string, query: { _id?: unknown }) => {
      if (collection === 'subsidyLedger') ids.push(`${method} ${String(query._id)}`);
    });
    try {
      await subsidiesRecorded(enterpriseId(), '2031');
    } finally {
      mongoose.set('debug', false);
    }
    expect(ids).to.deep.equal([`findOne ${enterpriseId()}:2031:4`]);
  });
  it('shares probes between concurrent readers of one year: those who come during a probe share the next one', async () => {
    await subsidiesRecorded(enterpriseId(), '2031');
    const reads: unknown[] = [];
    mongoose.set('debug', (collection: string, method: string, query: { _id?: unknown }) => {
      if (collection === 'subsidyLedger') reads.push(`${method} ${String(query._id)}`);
    });
    let totals: unknown[];
    try {
      totals = await Promise.all(Array.from({ length: 20 }, () => subsidiesRecorded(enterpriseId(), '2031')));
    } finally {
      mongoose.set('debug', false);
    }
    // The first reader's probe, and one probe for the 19 who came while it ran (not 20 probes).
    expect(reads).to.deep.equal([`findOne ${enterpriseId()}:2031:4`, `findOne ${enterpriseId()}:2031:4`]);
    expect(new Set(totals.map((x) => JSON.stringify(x))).size).to.equal(1);
    // Entry 4 recorded (by another instance) after the probes: the next reader counts it.
    await mongoose.connection.collection('subsidyLedger').insertOne({ _id: `${enterpriseId()}:2031:4` as never, enterpriseId: enterpriseId(), year: '2031', policyId: 'elsewhere-2', kind: 'policy', subsidies: [{ programme: 'CN-FIRST-SET', amountFen: 1_00 }] });
    const [after] = await Promise.all([subsidiesRecorded(enterpriseId(), '2031'), subsidiesRecorded(enterpriseId(), '2031')]);
    expect(after).to.deep.equal([{ programme: 'CN-FIRST-SET', amountFen: 121_00 }]);
  });

  it('reads many enterprises\' years together: one `$in` read per round, the same totals as one by one, new entries counted', async () => {
    const others = ['ledger-many-a', 'ledger-many-b', 'ledger-many-c'];
    for (const [i, id] of others.entries()) {
      for (let n = 0; n <= i; n++) await recordPolicySubsidies({ id: `ledger-many-${i}-${n}`, enterpriseId: id, startDate: '2031-05-01', subsidies: [{ programme: 'CN-FIRST-SET', amountFen: (n + 1) * 1_00 }] });
    }
    const ids = [enterpriseId(), ...others, 'ledger-many-none'];
    const reads: { method: string; ids: unknown }[] = [];
    mongoose.set('debug', (collection: string, method: string, query: { _id?: { $in?: unknown[] } }) => {
      if (collection === 'subsidyLedger') reads.push({ method, ids: query._id?.$in?.length ?? query._id });
    });
    let many: Map<string, unknown>;
    try {
      many = await subsidiesRecordedOf(ids, '2031');
    } finally {
      mongoose.set('debug', false);
    }
    for (const id of ids) expect(many.get(id), id).to.deep.equal(await subsidiesRecorded(id, '2031'));
    expect(many.get('ledger-many-c')).to.deep.equal([{ programme: 'CN-FIRST-SET', amountFen: 6_00 }]);
    expect(many.get('ledger-many-none')).to.deep.equal([]);
    // Rounds, not enterprises: HZZZ's entries were kept by the tests above, so its first probe finds
    // nothing new; a, b and c hold one, two and three entries, none kept yet: four rounds, each
    // asking only for the years still growing.
    expect(reads.every((r) => r.method === 'find')).to.equal(true);
    expect(reads.map((r) => r.ids)).to.deep.equal([5, 3, 2, 1]);
    // Kept now: a second read is one round of five ids; an entry another instance appends is counted.
    await mongoose.connection.collection('subsidyLedger').insertOne({ _id: 'ledger-many-b:2031:2' as never, enterpriseId: 'ledger-many-b', year: '2031', policyId: 'elsewhere-many', kind: 'policy', subsidies: [{ programme: 'CN-FIRST-SET', amountFen: 7_00 }] });
    reads.length = 0;
    mongoose.set('debug', (collection: string, method: string, query: { _id?: { $in?: unknown[] } }) => {
      if (collection === 'subsidyLedger') reads.push({ method, ids: query._id?.$in?.length ?? query._id });
    });
    try {
      many = await subsidiesRecordedOf(ids, '2031');
    } finally {
      mongoose.set('debug', false);
    }
    expect(reads.map((r) => r.ids)).to.deep.equal([5, 1]);
    expect(many.get('ledger-many-b')).to.deep.equal([{ programme: 'CN-FIRST-SET', amountFen: 10_00 }]);
  });
});
