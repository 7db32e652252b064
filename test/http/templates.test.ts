// The one template environment (src/http/templates.ts): every template compiled at start, strict,
// each folder with its own partials; a broken template stops the start.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createTemplates, TEMPLATES_DIR } from '../../src/http/templates.ts';

describe('http/templates', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'templates-'));
    cpSync(TEMPLATES_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles every page, document and statement template of the repository', () => {
    const templates = createTemplates();
    for (const name of ['pages/layout', 'pages/quote', 'pages/api-docs', 'documents/quote', 'documents/policy', 'documents/filing', 'documents/subsidy-application', 'pools/statement']) {
      expect(templates.has(name), name).to.equal(true);
    }
  });

  it('refuses to start with a template that does not parse, naming it', () => {
    writeFileSync(path.join(dir, 'pages', 'broken.hbs'), '<p>{{#if a}}never closed</p>');
    expect(() => createTemplates(dir)).to.throw(/template pages\/broken\.hbs/);
  });

  it('refuses to start with a template naming a partial its folder does not have', () => {
    // documents have a `header` partial, pages do not: folders keep their own partials
    writeFileSync(path.join(dir, 'pages', 'broken.hbs'), '<p>{{> header}}</p>');
    expect(() => createTemplates(dir)).to.throw(/pages\/broken\.hbs: names the partial "header"/);
  });

  it('refuses to start with a template calling a helper that is not registered', () => {
    writeFileSync(path.join(dir, 'documents', 'partials', 'cover.hbs'), '{{shout title}}');
    expect(() => createTemplates(dir)).to.throw(/documents\/partials\/cover: calls the helper "shout"/);
  });

  it('is strict: a field the data does not have throws instead of printing nothing', () => {
    writeFileSync(path.join(dir, 'pages', 'probe.hbs'), '<p>{{title}} {{t "appName"}}</p>');
    const templates = createTemplates(dir);
    expect(templates.render('pages/probe', { title: 'x<y', lang: 'en' })).to.equal('<p>x&lt;y Tech insurance service</p>');
    expect(() => templates.render('pages/probe', { lang: 'en' })).to.throw(/"title" not defined/);
  });

  it('gives each folder its own partials (pages and documents both have a cover)', () => {
    writeFileSync(path.join(dir, 'pages', 'partials', 'cover.hbs'), 'page cover');
    writeFileSync(path.join(dir, 'documents', 'partials', 'cover.hbs'), 'document cover');
    writeFileSync(path.join(dir, 'pages', 'probe.hbs'), '{{> cover}}');
    writeFileSync(path.join(dir, 'documents', 'probe.hbs'), '{{> cover}}');
    const templates = createTemplates(dir);
    expect(templates.render('pages/probe', {})).to.equal('page cover');
    expect(templates.render('documents/probe', {})).to.equal('document cover');
  });

  it('keeps two environments apart: nothing is shared between them', () => {
    writeFileSync(path.join(dir, 'pages', 'probe.hbs'), 'one');
    const changed = createTemplates(dir);
    expect(changed.render('pages/probe', {})).to.equal('one');
    expect(createTemplates().has('pages/probe')).to.equal(false);
    expect(changed.version('documents')).to.equal(createTemplates().version('documents'));
  });
});
