import { expect } from 'chai';
import type { Page } from 'puppeteer-core';

declare const document: { body: { innerText: string }; documentElement: { scrollWidth: number } };

// Proper names and entered data may be in either script; everything else is in the page's language.
export const PAGE_NAMES = ['杭州智造装备有限公司', '济南新材科技有限公司', '张经纪', '李核保', '陈财务', '王产品', '周复核', '赵产品', '刘财务', '孙共保', '土压平衡盾构机', '盾构机', '中文'];
const ENGLISH_ALLOWED = new Set(['PDF', 'VAT', 'English', 'CSV', 'XLSX', 'Excel', 'ZIP']);

/** English words of a text, proper names and identifiers (letters with digits) aside. */
export function englishWords(text: string, names: readonly string[] = PAGE_NAMES): string[] {
  let rest = text;
  for (const name of names) rest = rest.split(name).join(' ');
  return (rest.match(/[A-Za-z][A-Za-z0-9-]*/g) ?? []).filter((w) => !ENGLISH_ALLOWED.has(w) && !/\d/.test(w) && w.length > 1);
}

/** Runs of Chinese characters (and full-width punctuation) of a text, proper names aside. */
export function chineseRuns(text: string, names: readonly string[] = PAGE_NAMES): string[] {
  let rest = text;
  for (const name of names) rest = rest.split(name).join(' ');
  return rest.match(/[\u3400-\u9fff\uff08\uff09\u3001\uff1b\uff1a]+/g) ?? [];
}

/** Opens `url` in `lang` at `width` px: only that language (names aside), no horizontal overflow. */
export async function checkPageAt(page: Page, base: string, url: string, lang: 'zh-CN' | 'en', width: number, names: readonly string[] = PAGE_NAMES): Promise<string> {
  await page.setViewport({ width, height: 900 });
  await page.goto(`${base}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
  const text = await page.evaluate(() => document.body.innerText);
  if (lang === 'zh-CN') expect(englishWords(text, names), `${url}: English in a zh-CN page`).to.deep.equal([]);
  else expect(chineseRuns(text, names), `${url}: Chinese in an en page`).to.deep.equal([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${url} at ${width} px (${lang})`).to.be.at.most(width);
  return text;
}
