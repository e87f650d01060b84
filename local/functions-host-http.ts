import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpRequest, HttpResponse, type Cookie, type HttpResponseInit } from '@azure/functions';

/** Largest request body the local host reads (the Functions host allows 100 MB; nothing here needs more than a few KiB). */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Builds the `HttpRequest` a handler receives from a Node request, as the Functions host does: absolute `url` (origin
 * from the Host header, so URLs the handler builds point where the client connected), headers, route `params`,
 * body bytes (GET/HEAD bodies are dropped by the library). `query` comes from the URL, keeping repeated keys.
 * @throws RangeError `body too large` past {@link MAX_REQUEST_BODY_BYTES}; TypeError for a Host header that makes no URL
 */
export async function toHttpRequest(req: IncomingMessage, fallbackOrigin: string, params: Record<string, string>): Promise<HttpRequest> {
  const origin = req.headers.host ? `http://${req.headers.host}` : fallbackOrigin;
  const url = new URL(req.url ?? '/', origin).toString();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BODY_BYTES) throw new RangeError('body too large');
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  return new HttpRequest({ method: req.method ?? 'GET', url, headers, params, ...(bytes.length ? { body: { bytes } } : {}) });
}

/**
 * Writes what a handler returned to the Node response: an `HttpResponse`, an `HttpResponseInit` (`status`,
 * `headers`, `cookies`, `body` as string/Buffer/web or Node stream, or `jsonBody` with `content-type:
 * application/json`), or nothing (204, as the Functions host answers an empty return).
 */
export async function writeHttpResponse(res: ServerResponse, result: HttpResponse | HttpResponseInit | undefined | void): Promise<void> {
  if (result === undefined || result === null) {
    res.writeHead(204).end();
    return;
  }
  const init = result instanceof HttpResponse ? undefined : result;
  const nodeStream = init?.body instanceof Readable ? init.body : undefined;
  const response = result instanceof HttpResponse ? result : new HttpResponse(nodeStream ? { ...init, body: undefined } : init);
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  if (cookies.length) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (nodeStream) {
    await pipeline(nodeStream, res);
  } else if (response.body) {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res);
  } else {
    res.end();
  }
}

function serializeCookie(c: Cookie): string {
  const parts = [`${c.name}=${encodeURIComponent(c.value)}`];
  if (c.domain) parts.push(`Domain=${c.domain}`);
  if (c.path) parts.push(`Path=${c.path}`);
  if (c.expires !== undefined) parts.push(`Expires=${new Date(c.expires).toUTCString()}`);
  if (c.maxAge !== undefined) parts.push(`Max-Age=${c.maxAge}`);
  if (c.secure) parts.push('Secure');
  if (c.httpOnly) parts.push('HttpOnly');
  if (c.sameSite) parts.push(`SameSite=${c.sameSite}`);
  return parts.join('; ');
}
