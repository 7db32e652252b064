// The subsidy year page pages each of its tables (#25: a broker's year holds thousands of rows;
// the page shows YEAR_PAGE of each, its exports all of them): the applications table of a year
// with more than a page of them, its count line, next and previous links that keep the other
// table's place, an offset past the end read as the last page.
import { expect } from 'chai';
import supertest from 'supertest';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
const POLICIES = 55;

describe('The subsidy year page: each table a page at a time (#25)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const year = today().slice(0, 4);
  let applications = 0;
  let rows = 0;

  before(async () => {
    await publishShippedProducts();
    for (let i = 0; i < POLICIES; i += 5) {
      await Promise.all(Array.from({ length: Math.min(5, POLICIES - i) }, async () => {
        const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today(), enterprise: { qualifications: ['first-domestic'] } });
        expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
        const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker));
        expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
      }));
    }
    const api = await t.http.get(`/v1/subsidies/years/${year}`).set(bearer(t.keys.broker));
    applications = api.body.applications.length;
    rows = api.body.rows.length;
    expect(applications, 'more than a page of applications').to.be.greaterThan(100).and.at.most(200);
    expect(rows, 'one page of rows').to.be.within(1, 100);
  });

  async function broker() {
    const agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey: t.keys.broker })).status).to.equal(303);
    return agent;
  }
  const countOf = (html: string, table: string) => (new RegExp(`<table[^>]*id="${table}"[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`).exec(html)?.[1]?.match(/<tr/g) ?? []).length;
  const hrefOf = (html: string, id: string) => new RegExp(`href="([^"]*)" id="${id}"`).exec(html)?.[1]?.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');

  it('shows the first 100 applications with their count and a link to the next page', async () => {
    const page = (await (await broker()).get(`/subsidies?year=${year}`)).text;
    expect(countOf(page, 'subsidy-applications')).to.equal(100);
    expect(page).to.include(`第 1–100 行，共 ${applications} 行`);
    expect(hrefOf(page, 'year-applications-next')).to.equal(`/subsidies?year=${year}&applications=100`);
    expect(hrefOf(page, 'year-applications-previous')).to.equal(undefined);
    // The rows table fits one page: no count line, no links.
    expect(page).not.to.include('id="year-rows-shown"').and.not.include('id="year-rows-next"');
  });

  it('the next page holds the rest, links back, and an offset past the end is the last page', async () => {
    const agent = await broker();
    const next = (await agent.get(`/subsidies?year=${year}&applications=100&lang=en`)).text;
    expect(countOf(next, 'subsidy-applications')).to.equal(applications - 100);
    expect(next).to.include(`Rows 101–${applications} of ${applications}`);
    expect(hrefOf(next, 'year-applications-previous')).to.equal(`/subsidies?year=${year}`);
    expect(hrefOf(next, 'year-applications-next')).to.equal(undefined);
    const past = (await agent.get(`/subsidies?year=${year}&applications=999999`)).text;
    expect(countOf(past, 'subsidy-applications')).to.equal(applications - 100);
    const nonsense = (await agent.get(`/subsidies?year=${year}&applications=-5`)).text;
    expect(countOf(nonsense, 'subsidy-applications')).to.equal(100);
  });
});
