import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { App as AntApp, ConfigProvider } from 'antd';
import type { ReactElement } from 'react';
import { vi } from 'vitest';

/** Renders with a fresh query client and antd's App context, as the app does. */
export function renderWithProviders(ui: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ConfigProvider>
        <AntApp>{ui}</AntApp>
      </ConfigProvider>
    </QueryClientProvider>,
  );
}

/** One request the fake server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  /** The query string's parameters (routes match without them). */
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Handler = (req: SeenRequest) => { status?: number; body?: unknown; headers?: Record<string, string> } | undefined;

/**
 * Replaces `fetch` with a table of answers by "METHOD /path" (query ignored) and records every
 * request, so a test checks what the app sent as well as what it shows.
 */
export function fakeServer(routes: Record<string, Handler>) {
  const seen: SeenRequest[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const url = new URL(request.url, 'http://localhost');
    const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.clone().text();
    const req: SeenRequest = { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body: text ? JSON.parse(text) : undefined };
    seen.push(req);
    const exact = routes[`${req.method} ${req.path}`];
    const pattern = exact ?? Object.entries(routes).find(([k]) => new RegExp(`^${k.replace(/:[^/]+/g, '[^/]+')}$`).test(`${req.method} ${req.path}`))?.[1];
    const answer = pattern?.(req) ?? { status: 404, body: { statusCode: 404, error: 'Not Found', message: `no route ${req.method} ${req.path}` } };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json', ...(answer.headers ?? {}) },
    });
  });
  vi.stubGlobal('fetch', fetchFn);
  return { seen, fetchFn };
}
