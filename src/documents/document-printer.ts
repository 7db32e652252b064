// The renderer as the documents service uses it: a deadline per render, and renderer failures
// turned into 'unavailable' errors (503, "try again") with the renderer's code in the message.
import { unavailable } from '../http/app-error.ts';
import { PdfRenderError, type PdfRenderer, type RendererLogger } from './pdf-renderer.ts';

export interface DocumentPrinter {
  print(html: string, title: string, metadataDate: Date): Promise<Buffer>;
  /** Part of every cache key and of a stored schedule's record. */
  rendererVersion(): Promise<string>;
}

export function createDocumentPrinter(renderer: PdfRenderer, timeoutMs: number, logger?: RendererLogger): DocumentPrinter {
  async function print(html: string, title: string, metadataDate: Date): Promise<Buffer> {
    try {
      return await renderer.renderPdf(html, { title, metadataDate, timeoutMs });
    } catch (err) {
      if (err instanceof PdfRenderError) {
        logger?.warn({ code: err.code, err: err.message }, 'documents: PDF render failed');
        throw unavailable(`The PDF could not be rendered just now (${err.code}); please try again.`);
      }
      throw err;
    }
  }

  async function rendererVersion(): Promise<string> {
    try {
      return await renderer.browserVersion();
    } catch (err) {
      if (err instanceof PdfRenderError) throw unavailable(`The PDF renderer is not available (${err.code}); please try again.`);
      throw err;
    }
  }

  return { print, rendererVersion };
}
