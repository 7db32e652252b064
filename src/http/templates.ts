// The one Handlebars environment of the service: pages (templates/pages), documents
// (templates/documents), the pool statement (templates/pools) and the API reference. Created by
// the composition (src/service.ts), once per service: an isolated `Handlebars.create()`, its
// helpers and partials registered once, every template compiled at start in strict mode (a
// template reading a field its data does not have throws instead of printing nothing). A template
// that does not parse, names a partial its folder does not have or a helper that is not
// registered stops the start. Each folder keeps its own partials (pages and documents both have a
// `cover`), passed with the render; prototype access stays off.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { translate, type Lang } from '../i18n/messages.ts';

export const TEMPLATES_DIR = path.resolve(import.meta.dirname, '../../templates');

/** The environment: every template under templates/ by its path without `.hbs` ('pages/quote', 'documents/policy'). */
export interface Templates {
  /** Renders a template (HTML-escaped values; strict: a missing field throws). */
  render(name: string, data: object): string;
  /** Whether a template of that name exists. */
  has(name: string): boolean;
  /** sha256 (hex, 16 chars) over every file of a folder ('documents'): changes with any template, partial, stylesheet or label. */
  version(folder: string): string;
  /** A file of the templates read at start ('documents/labels/en.json'). */
  file(name: string): string;
}

const COMPILE = { strict: true, noEscape: false, preventIndent: true } as const;
const RUNTIME = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false } as const;

/** The helpers every template may call (besides Handlebars' own: if, unless, each, with, lookup, log). */
function registerHelpers(hbs: typeof Handlebars): void {
  // A page label in the page's language (`lang` of the root data), `{name}` filled from the hash.
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const lang = (options.data?.root as { lang?: Lang } | undefined)?.lang ?? 'zh-CN';
    return translate(key, lang, options.hash as Record<string, string | number>);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hbs.registerHelper('add', (a: number, b: number) => a + b);
  // The pool statement's cell classes by column: policy number and dates never wrap, amounts align right.
  hbs.registerHelper('cellClass', (i: number) => (i === 0 ? 'key' : i >= 4 && i <= 6 ? 'key' : i > 6 ? 'num' : ''));
}

/** Every file below a folder, as paths relative to `root`, sorted (so the version hash is stable). */
function filesBelow(root: string, folder = ''): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesBelow(root, path.join(folder, e.name)) : [path.join(folder, e.name)]))
    .sort();
}

/** The partials and helpers a template names, to refuse an unknown one at start rather than on a request. */
class NamesUsed extends Handlebars.Visitor {
  readonly partials = new Set<string>();
  readonly helpers = new Set<string>();
  override PartialStatement(partial: hbs.AST.PartialStatement): void {
    if (partial.name.type === 'PathExpression') this.partials.add(partial.name.original);
    super.PartialStatement(partial);
  }
  override MustacheStatement(mustache: hbs.AST.MustacheStatement): void {
    if ((mustache.params.length || mustache.hash) && mustache.path.type === 'PathExpression') this.helpers.add((mustache.path as hbs.AST.PathExpression).original);
    super.MustacheStatement(mustache);
  }
  override BlockStatement(block: hbs.AST.BlockStatement): void {
    if (block.params.length || block.hash) this.helpers.add(block.path.original);
    super.BlockStatement(block);
  }
  override SubExpression(sexpr: hbs.AST.SubExpression): void {
    this.helpers.add(sexpr.path.original);
    super.SubExpression(sexpr);
  }
}

/** Parses and compiles one template now; throws naming the file on any error, an unknown partial or helper. */
function compileChecked(hbs: typeof Handlebars, file: string, text: string, partials: ReadonlySet<string>): HandlebarsTemplateDelegate {
  try {
    const names = new NamesUsed();
    names.accept(hbs.parse(text));
    for (const partial of names.partials) if (!partials.has(partial)) throw new Error(`names the partial "${partial}", which its folder does not have`);
    for (const helper of names.helpers) if (!(helper in hbs.helpers)) throw new Error(`calls the helper "${helper}", which is not registered`);
    hbs.precompile(text, COMPILE); // the whole compiler runs now; compile() below would only run it on first use
    return hbs.compile(text, COMPILE);
  } catch (err) {
    throw new Error(`template ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads and compiles every template below `dir` (default: the repository's templates/): each
 * folder's `partials/*.hbs` are its partials; `documents/document.css` is the documents' partial
 * `styles` (trusted template content, never a view value). Throws if any template is broken.
 */
export function createTemplates(dir: string = TEMPLATES_DIR): Templates {
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  const files = new Map(filesBelow(dir).map((file) => [file.split(path.sep).join('/'), readFileSync(path.join(dir, file), 'utf8')]));
  const folderOf = (file: string) => file.split('/')[0]!;
  const isPartial = (file: string) => file.split('/')[1] === 'partials' && file.endsWith('.hbs');

  // Each folder's partials by name (their texts first, to check the names every template uses).
  const partialTexts = new Map<string, Map<string, string>>();
  for (const [file, text] of files) {
    const folder = folderOf(file);
    if (!partialTexts.has(folder)) partialTexts.set(folder, new Map());
    if (isPartial(file)) partialTexts.get(folder)!.set(path.basename(file, '.hbs'), text);
    if (file === 'documents/document.css') partialTexts.get(folder)!.set('styles', text);
  }
  const partials = new Map([...partialTexts].map(([folder, texts]) => {
    const names = new Set(texts.keys());
    return [folder, Object.fromEntries([...texts].map(([name, text]) => [name, compileChecked(hbs, `${folder}/partials/${name}`, text, names)]))] as const;
  }));
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  for (const [file, text] of files) {
    if (!file.endsWith('.hbs') || isPartial(file)) continue;
    compiled.set(file.slice(0, -4), compileChecked(hbs, file, text, new Set(partialTexts.get(folderOf(file))!.keys())));
  }

  return Object.freeze({
    render(name: string, data: object): string {
      const template = compiled.get(name);
      if (!template) throw new Error(`No template ${name}.`);
      return template(data, { ...RUNTIME, partials: partials.get(folderOf(name)) });
    },
    has: (name: string) => compiled.has(name),
    version(folder: string): string {
      const hash = createHash('sha256');
      for (const [file, text] of files) if (folderOf(file) === folder) hash.update(file.slice(folder.length + 1)).update('\0').update(text).update('\0');
      return hash.digest('hex').slice(0, 16);
    },
    file(name: string): string {
      const text = files.get(name);
      if (text === undefined) throw new Error(`No template file ${name}.`);
      return text;
    },
  });
}
