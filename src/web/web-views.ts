// The pages' views over the service's one template environment (src/http/templates.ts, created by
// the composition): templates/pages/<name>.hbs into templates/pages/layout.hbs. `data.lang`
// chooses every label; values are escaped by Handlebars; strict: a view missing a field throws.
import type { Templates } from '../http/templates.ts';
import type { Lang } from './web-messages.ts';

export interface PageViews {
  /** Renders a page into the layout. */
  page(name: string, data: Record<string, unknown> & { lang: Lang }): string;
  /** Renders a page template without the layout: a part of a page sent to the page's script. */
  fragment(name: string, data: Record<string, unknown> & { lang: Lang }): string;
}

export function createPageViews(templates: Templates): PageViews {
  const fragment = (name: string, data: Record<string, unknown> & { lang: Lang }) => templates.render(`pages/${name}`, data);
  return Object.freeze({
    fragment,
    page: (name: string, data: Record<string, unknown> & { lang: Lang }) => templates.render('pages/layout', { ...data, body: fragment(name, data) }),
  });
}
