/** A JSON answer: status, headers, and the parsed body (`{}` when empty). */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** One HTTP request with an optional JSON body, bounded by `timeoutMs`; the answer's body parsed. */
export async function callJson(url: string, method: string, headers: Record<string, string>, body?: unknown, timeoutMs = 15_000): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}
