// What the renderer adds to a document's HTML before printing: pure, no browser.
import assert from 'node:assert/strict';
import { withScreenHidden, withTitle } from '../../src/documents/print-html.ts';

describe('documents/print-html', () => {
  it('withTitle replaces or inserts an escaped <title>', () => {
    assert.equal(withTitle('<html><head><title>old</title></head></html>', 'a<b'), '<html><head><title>a&#60;b</title></head></html>');
    assert.equal(withTitle('<html><head lang="zh"></head></html>', 'T'), '<html><head lang="zh"><title>T</title></head></html>');
    assert.equal(withTitle('<p>x</p>', 'T'), '<title>T</title><p>x</p>');
  });

  it('withScreenHidden adds a screen-only display:none at the end of <head>, or first', () => {
    const style = '<style>@media screen{html{display:none!important}}</style>';
    assert.equal(withScreenHidden('<html><head><title>t</title></head><body></body></html>'), `<html><head><title>t</title>${style}</head><body></body></html>`);
    assert.equal(withScreenHidden('<p>x</p>'), `${style}<p>x</p>`);
  });
});
