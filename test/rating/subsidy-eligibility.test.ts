// Why a programme does not apply, as data the pages translate, and which facts a form must ask.
import { expect } from 'chai';
import { computeSubsidies, subsidyFactsAsked } from '../../src/rating/index.ts';
import { loadProgramme } from './fixtures.ts';

const args = (enterprise: Record<string, unknown>, programmes = ['CN-FIRST-SET', 'ZJ-FIRST-SET', 'SD-FIRST-SET', 'HA-FIRST-VERSION'].map(loadProgramme)) => ({
  line: 'first-set-equipment', grossPremiumFen: 20_000_000, sumInsuredFen: 1_000_000_000, contractFen: 1_000_000_000, programmes, enterprise,
});

describe('Subsidy eligibility reasons and the facts a form asks', () => {
  it('gives each ineligible programme a kind, its figures and its name', () => {
    const r = computeSubsidies(args({ regionCode: '330106', qualifications: [], supportYear: 1 }));
    const byCode = Object.fromEntries(r.ineligible.map((i) => [i.programme, i]));
    expect(byCode['ZJ-FIRST-SET']).to.deep.include({ kind: 'anyQualification', detail: ['first-international', 'first-domestic', 'first-provincial'] });
    expect(byCode['ZJ-FIRST-SET']!.name!.zh).to.equal('浙江省首台（套）保险补偿');
    expect(byCode['SD-FIRST-SET']).to.deep.include({ kind: 'region', detail: ['330106', '370000'] });
    expect(byCode['HA-FIRST-VERSION']).to.deep.include({ kind: 'line', detail: ['first-set-equipment'] });
    expect(r.layers.map((l) => l.programme)).to.deep.equal(['CN-FIRST-SET']);
  });

  it('lets the Zhejiang programme apply once the qualification is given, and refuses a later support year', () => {
    const r = computeSubsidies(args({ regionCode: '330106', qualifications: ['first-domestic'], supportYear: 1 }));
    expect(r.layers.map((l) => l.programme)).to.include('ZJ-FIRST-SET');
    const later = computeSubsidies(args({ regionCode: '330106', qualifications: ['first-domestic'], supportYear: 2 }));
    expect(later.ineligible.find((i) => i.programme === 'ZJ-FIRST-SET')).to.deep.include({ kind: 'supportYear', detail: ['1'] });
  });

  it('names the facts the line\'s programmes read', () => {
    const asked = subsidyFactsAsked(['CN-FIRST-SET', 'ZJ-FIRST-SET', 'SD-IP'].map(loadProgramme), 'first-set-equipment');
    expect(asked.qualifications).to.have.members(['first-international', 'first-domestic', 'first-provincial']);
    expect(asked.awards).to.deep.equal(['ZJ-FIRST-SET-APPLICATION-AWARD']);
    expect(asked.supportYear).to.equal(true);
    expect(asked.coverScope).to.equal(false);
    expect(subsidyFactsAsked(['SD-IP'].map(loadProgramme), 'ip-patent-enforcement')).to.deep.include({ coverScope: true, qualifications: ['high-value-patent'] });
  });
});
