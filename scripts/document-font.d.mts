// Types of scripts/document-font.mjs (plain Node so that scripts/setup.mjs can run it before npm ci).
export declare const DOCUMENT_FONT_FAMILY: string;
export declare const DOCUMENT_FONT_POSTSCRIPT: string;
export declare const ZENHEI_PATH: string;
export declare const DOCUMENT_FONT_FILE: string;
export declare function gb2312Characters(): { symbols: number[]; level1: number[]; level2: number[] };
export declare function charactersIn(folders: string[]): number[];
export declare function priorityCodePoints(repoCharacters: number[]): number[];
export declare function buildDocumentFont(
  source: Buffer,
  priority: number[],
  options?: { faceIndex?: number; description?: string; onlyPriority?: boolean },
): { font: Buffer; glyphs: number; characterMap: Map<number, number> };
export declare function readFontCmap(font: Buffer, faceIndex?: number): Map<number, number>;
export declare function fontsConf(fontDir: string): string;
export declare function ensureDocumentFont(
  repoRoot: string,
  options?: { source?: string; log?: (line: string) => void },
): { status: 'up-to-date' | 'generated'; fontPath: string; confPath: string } | { status: 'missing-source'; message: string };
