// The one error type of PDF rendering: every failure reaches the caller as a PdfRenderError whose
// code says what went wrong (the documents service turns each into a 503).

export type PdfRenderErrorCode =
  | 'timeout' // the deadline (queue wait + launch + render) passed
  | 'browser_crashed' // the browser disconnected while this render was running
  | 'render_failed' // setContent / printToPDF failed for another reason (page crash, protocol error)
  | 'launch_failed' // Chromium could not be started
  | 'queue_full' // all pages busy and the wait queue is at maxQueue
  | 'closed'; // renderer was closed

export class PdfRenderError extends Error {
  override readonly name = 'PdfRenderError';
  readonly code: PdfRenderErrorCode;
  constructor(code: PdfRenderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
