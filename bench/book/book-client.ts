// Plain HTTP against the running service, as an operator's client would send it: an API key as a
// bearer token, or a web session cookie from the sign-in form. Every call has a deadline; one
// that passes it is an answer of its own (timedOut), not an exception, so the bench goes on.

export interface Answer {
  status: number;
  /** Milliseconds from sending to the last byte of the body. */
  ms: number;
  body: string;
  timedOut: boolean;
}

export interface CallOptions {
  key?: string;
  cookie?: string;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export class BookClient {
  constructor(readonly url: string, readonly timeoutMs: number) {}

  /** Sends one request and reads its whole body; a deadline passed answers { timedOut: true, status: 0 }. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.cookie) headers.cookie = options.cookie;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const started = performance.now();
    try {
      const res = await fetch(`${this.url}${path}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs) });
      const text = await res.text();
      return { status: res.status, ms: performance.now() - started, body: text, timedOut: false };
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { status: 0, ms: performance.now() - started, body: '', timedOut: true };
      throw err;
    }
  }

  /** Like call, but a status other than `expected` (or a timeout) is an error: for building the book. */
  async expect<T>(expected: number | number[], method: string, path: string, options: CallOptions = {}): Promise<T> {
    const answer = await this.call(method, path, options);
    const ok = Array.isArray(expected) ? expected.includes(answer.status) : answer.status === expected;
    if (!ok) throw new Error(`${method} ${path}: ${answer.timedOut ? 'timed out' : answer.status} ${answer.body.slice(0, 500)}`);
    return (answer.body ? JSON.parse(answer.body) : undefined) as T;
  }

  /** Signs in through the sign-in form with an API key and returns the session cookie (`name=value`). */
  async signIn(apiKey: string): Promise<string> {
    const res = await fetch(`${this.url}/sign-in`, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams({ apiKey }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.url },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.text();
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('tis_session='));
    if (res.status !== 303 || !cookie) throw new Error(`sign-in answered ${res.status} without a session cookie`);
    return cookie;
  }
}
