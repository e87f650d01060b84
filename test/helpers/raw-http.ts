import http from 'node:http';

/** An HTTP answer, body as text. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * Sends one request with the path exactly as given (no URL normalisation, unlike fetch, which would resolve `..` and
 * re-encode), so path-traversal probes reach the server as an attacker would send them.
 * @param base `http://host:port`
 * @param rawPath starts with `/`; sent byte for byte (ASCII only: Node refuses other characters in a request line)
 * A body always goes with its Content-Length: Node sends a DELETE body with neither that nor chunked encoding.
 */
export function rawRequest(base: string, method: string, rawPath: string, o: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: rawPath, headers: { ...(o.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The `{error:{code,message}}` body of an error answer, or a description of what was wrong with it. */
export function errorBodyOf(r: RawResponse): { code: string; message: string } | string {
  try {
    const body = JSON.parse(r.text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string' && body.error.code && typeof body.error.message === 'string' && body.error.message) {
      return { code: body.error.code, message: body.error.message };
    }
    return `error body without code/message: ${r.text.slice(0, 200)}`;
  } catch {
    return `non-JSON error body (${r.headers['content-type']}): ${r.text.slice(0, 200)}`;
  }
}
