import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { translate, type Lang } from './web-messages.ts';

const PAGES = new URL('../../templates/pages/', import.meta.url);
const handlebars = Handlebars.create();
const cache = new Map<string, HandlebarsTemplateDelegate>();
let partialsLoaded = false;

handlebars.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
  const lang = (options.data?.root as { lang?: Lang } | undefined)?.lang ?? 'zh-CN';
  return translate(key, lang, options.hash as Record<string, string | number>);
});
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
handlebars.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));

function loadPartials(): void {
  if (partialsLoaded) return;
  const dir = new URL('partials/', PAGES);
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.hbs')) handlebars.registerPartial(file.slice(0, -4), readFileSync(new URL(file, dir), 'utf8'));
  }
  partialsLoaded = true;
}

function template(name: string): HandlebarsTemplateDelegate {
  let compiled = cache.get(name);
  if (!compiled) {
    loadPartials();
    compiled = handlebars.compile(readFileSync(new URL(`${name}.hbs`, PAGES), 'utf8'), { strict: false });
    cache.set(name, compiled);
  }
  return compiled;
}

/** Renders a page into the layout. `data.lang` chooses every label; values are escaped by Handlebars. */
export function renderPage(name: string, data: Record<string, unknown> & { lang: Lang }): string {
  const body = template(name)(data);
  return template('layout')({ ...data, body });
}

/** Renders a page template without the layout: a part of a page sent to the page's script. */
export function renderFragment(name: string, data: Record<string, unknown> & { lang: Lang }): string {
  return template(name)(data);
}
