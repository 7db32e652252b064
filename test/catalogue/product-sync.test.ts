import { expect } from 'chai';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProductVersionModel } from '../../src/catalogue/catalogue-model.ts';
import { SubsidyProgrammeModel } from '../../src/subsidies/subsidy-programmes.ts';
import { syncProducts } from '../../src/catalogue/product-sync.ts';
import { createPoolMembership } from '../../src/pools/pool-membership.ts';
import { useTestApp } from '../support/test-app.ts';

/** Pools' side of the catalogue's PoolMembership port, as src/service.ts passes it. */
const pools = createPoolMembership();

describe('Catalogue: syncing products/ into the database', () => {
  useTestApp();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'techins-products-'));
    await cp('products', dir, { recursive: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const versions = async () => (await ProductVersionModel.find({}, { productCode: 1, version: 1, status: 1 }).sort({ productCode: 1, version: 1 }).lean()).map((v) => `${v.productCode}@${v.version}:${v.status}`);

  it('loads every shipped product as a draft and every subsidy programme', async () => {
    const lines = await syncProducts({ pools, dir, publish: false });
    expect(lines.filter((l) => l.outcome === 'error')).to.deep.equal([]);
    expect(await ProductVersionModel.countDocuments({ status: 'draft' })).to.equal(14);
    expect(await SubsidyProgrammeModel.countDocuments()).to.be.at.least(10);
  });

  it('writes nothing the second time', async () => {
    const before = await versions();
    const lines = await syncProducts({ pools, dir, publish: false });
    expect(lines.every((l) => l.outcome === 'unchanged')).to.equal(true);
    expect(await versions()).to.deep.equal(before);
  });

  it('leaves the pooled products drafts until their other members accept, naming them (pool consent)', async () => {
    const lines = await syncProducts({ pools, dir, publish: true });
    const refused = lines.filter((l) => l.outcome === 'error');
    expect(refused.map((l) => path.basename(l.file)).sort()).to.deep.equal(['first-batch-material.json', 'first-set-equipment.json']);
    for (const line of refused) expect(line.detail).to.match(/definition\/coInsurance\/members\/1\/insurer HTIC has not accepted its (25|30)% follower share \(pool-consent\)/);
    expect(await ProductVersionModel.countDocuments({ status: 'published' })).to.equal(12);
  });

  it('publishes with --publish --accept-pools (the members\' shares accepted on their behalf), then again writes nothing', async () => {
    await syncProducts({ pools, dir, publish: true, acceptPools: true });
    expect(await ProductVersionModel.countDocuments({ status: 'published' })).to.equal(14);
    const before = await versions();
    const lines = await syncProducts({ pools, dir, publish: true });
    expect(lines.every((l) => l.outcome === 'unchanged'), JSON.stringify(lines)).to.equal(true);
    expect(await versions()).to.deep.equal(before);
  });

  it('turns a changed file into a new version and, with --publish, retires the one it replaces (same pool terms: no new acceptance)', async () => {
    const file = path.join(dir, 'first-set-equipment.json');
    const definition = JSON.parse(await readFile(file, 'utf8')) as { name: { en: string } };
    definition.name.en = 'First unit/set of major technical equipment insurance (revised wording)';
    await writeFile(file, JSON.stringify(definition, null, 2));
    const drafted = await syncProducts({ pools, dir, publish: false });
    expect(drafted.find((l) => l.file === file)).to.include({ outcome: 'new-version' });
    expect(await versions()).to.include('FIRST-SET-EQUIPMENT@2025.1.1:draft');
    const published = await syncProducts({ pools, dir, publish: true });
    expect(published.find((l) => l.file === file)!.detail).to.contain('retired 2025.1');
    expect(await versions()).to.include.members(['FIRST-SET-EQUIPMENT@2025.1:retired', 'FIRST-SET-EQUIPMENT@2025.1.1:published']);
    expect((await syncProducts({ pools, dir, publish: true })).every((l) => l.outcome === 'unchanged')).to.equal(true);
  });
});
