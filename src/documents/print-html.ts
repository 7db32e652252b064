// What the renderer adds to a document's HTML before printing it. Pure string functions.

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Replace the document's <title> (or insert one) with an escaped title. */
export function withTitle(html: string, title: string): string {
  const tag = `<title>${escapeHtml(title)}</title>`;
  if (/<title[\s>][\s\S]*?<\/title>/i.test(html)) return html.replace(/<title[\s>][\s\S]*?<\/title>/i, tag);
  if (/<head[^>]*>/i.test(html)) return html.replace(/<head[^>]*>/i, (m) => m + tag);
  return tag + html;
}

const SCREEN_HIDDEN = '<style>@media screen{html{display:none!important}}</style>';

/**
 * Adds a screen-only `display: none` for the whole document (at the end of <head>, or first).
 * Printing uses print media, so the PDF is the same; Chromium just skips the viewport's style,
 * layout, paint and raster work that nobody looks at.
 */
export function withScreenHidden(html: string): string {
  const at = html.search(/<\/head\s*>/i);
  return at >= 0 ? html.slice(0, at) + SCREEN_HIDDEN + html.slice(at) : SCREEN_HIDDEN + html;
}
