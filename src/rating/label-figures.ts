// Labels that state a figure of their own row: a section's label may write `{rate}` where it
// states its rate ("基准保费：合同金额 × {rate}%"), filled from the row's rate wherever the label
// is shown (quotes, the diff, the filing PDF), so a rate change cannot leave the label behind.
// A label that writes the figure out instead is checked against the rate (staleLabelFigures).
import type { ErrorDetail } from './errors.ts';
import type { ProductDefinition } from './product-schema.ts';
import type { LocalText } from './rating-result.ts';

/** The placeholder a section label writes for its rate. */
export const RATE_PLACEHOLDER = '{rate}';

type SectionLike = { label: LocalText; ratePercent?: string; shareOf?: { percent: string } };

/** The rate a section's label may state: its own rate, or its share of an earlier section. */
export function sectionRate(section: { ratePercent?: string; shareOf?: { percent: string } }): string | undefined {
  return section.shareOf?.percent ?? section.ratePercent;
}

/** One label text with `{rate}` filled (left as written when the row has no rate). */
export function fillRateText(text: string, rate: string | undefined): string {
  return rate === undefined ? text : text.replaceAll(RATE_PLACEHOLDER, rate);
}

/** A section's label in both languages, `{rate}` filled from the section's rate. */
export function sectionLabel(section: SectionLike): LocalText {
  const rate = sectionRate(section);
  return { zh: fillRateText(section.label.zh, rate), en: fillRateText(section.label.en, rate) };
}

const PERCENT_FIGURE = /(\d+(?:\.\d+)?)\s*[%％]/g;

/** Decimal strings equal as numbers ("2.10" is "2.1"). */
const sameFigure = (a: string, b: string) => Number(a) === Number(b);

/**
 * Section labels that write out a percent figure other than the section's rate (a rate changed,
 * its label not): one error per label text, at the label's pointer, naming both figures.
 */
export function staleLabelFigures(definition: ProductDefinition): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  definition.plan.sections.forEach((section, i) => {
    const rate = sectionRate(section);
    if (rate === undefined || !/^-?\d+(\.\d+)?$/.test(rate)) return;
    for (const lang of ['zh', 'en'] as const) {
      const figures = [...(section.label[lang] ?? '').matchAll(PERCENT_FIGURE)].map((m) => m[1]!);
      const stale = figures.find((f) => !sameFigure(f, rate));
      if (stale !== undefined && !figures.some((f) => sameFigure(f, rate))) {
        errors.push({ path: `/plan/sections/${i}/label/${lang}`, message: `states ${stale}% but the rate is ${rate}%; write ${RATE_PLACEHOLDER} for the figure` });
      }
    }
  });
  return errors;
}
