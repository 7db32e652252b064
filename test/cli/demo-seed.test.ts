import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { OrganisationModel } from '../../src/auth/auth-model.ts';
import { resolveApiKey } from '../../src/auth/auth-service.ts';
import { seedDemoOrganisations } from '../../src/cli/demo-seed.ts';
import { useTestApp } from '../support/test-app.ts';

describe('Demo seed', () => {
  const t = useTestApp();

  it('creates three insurers (every member of the shipped pools), a broker firm, two enterprises, four subsidy departments and the platform', async () => {
    const organisations = await OrganisationModel.find({}).sort({ code: 1 }).lean();
    expect(organisations.map((o) => `${o.kind}:${o.code}`)).to.deep.equal([
      'insurer:HTIC', 'enterprise:HZZZ', 'authority:JN-IIT', 'enterprise:JNXC', 'insurer:KCIC', 'authority:MIIT', 'broker:MXB', 'platform:PLATFORM', 'authority:SD-IIT', 'authority:ZJ-EIT', 'insurer:ZXIC',
    ]);
    // Each department administers shipped programmes (products/subsidies/) over the regions it covers.
    const departments = Object.fromEntries(organisations.filter((o) => o.kind === 'authority').map((o) => [o.code, [o.level, [...o.regionPrefixes ?? []], [...o.programmes ?? []]]]));
    expect(departments).to.deep.equal({
      'JN-IIT': ['city', ['3701'], ['SD-JINAN-TOPUP']], MIIT: ['central', [], ['CN-FIRST-SET', 'CN-FIRST-BATCH']],
      'SD-IIT': ['provincial', ['37'], ['SD-FIRST-SET']], 'ZJ-EIT': ['provincial', ['33'], ['ZJ-FIRST-SET']],
    });
    const shipped = new Set(readdirSync('products/subsidies').map((f) => (JSON.parse(readFileSync(`products/subsidies/${f}`, 'utf8')) as { code: string }).code));
    for (const [, , programmes] of Object.values(departments)) for (const p of programmes as string[]) expect(shipped.has(p), p).to.equal(true);
  });

  it('writes every key to demo-keys.json with mode 600, and each key resolves to its role', async () => {
    const file = path.join(t.dataDir, 'demo-keys.json');
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    const keys = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(Object.keys(keys)).to.have.members(['platformAdmin', 'insurerAdmin', 'secondInsurerAdmin', 'underwriter', 'broker', 'enterprise', 'otherInsurerAdmin', 'otherEnterprise', 'poolInsurerAdmin', 'authority', 'provincialAuthority', 'otherProvincialAuthority', 'cityAuthority']);
    const expected: Record<string, [string, string]> = {
      platformAdmin: ['platform-admin', 'PLATFORM'], insurerAdmin: ['insurer-admin', 'KCIC'], secondInsurerAdmin: ['insurer-admin', 'KCIC'], underwriter: ['underwriter', 'KCIC'], broker: ['broker', 'MXB'],
      enterprise: ['enterprise', 'HZZZ'], otherInsurerAdmin: ['insurer-admin', 'HTIC'], otherEnterprise: ['enterprise', 'JNXC'], poolInsurerAdmin: ['insurer-admin', 'ZXIC'],
      authority: ['authority-officer', 'MIIT'], provincialAuthority: ['authority-officer', 'ZJ-EIT'], otherProvincialAuthority: ['authority-officer', 'SD-IIT'], cityAuthority: ['authority-officer', 'JN-IIT'],
    };
    for (const [name, key] of Object.entries(keys)) {
      const caller = await resolveApiKey(key);
      expect([caller.role, caller.organisationCode], name).to.deep.equal(expected[name]);
    }
  });

  it('does nothing on a database that already has organisations', async () => {
    expect(await seedDemoOrganisations(t.dataDir)).to.equal(null);
    expect(await OrganisationModel.countDocuments()).to.equal(11);
  });
});
