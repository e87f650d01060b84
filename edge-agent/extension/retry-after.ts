/**
 * The delay an HTTP `Retry-After` header asks for (RFC 9110 §10.2.3): delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`).
 * @param nowMs the current time, epoch ms (for an HTTP-date)
 * @returns ms from now (≥ 0), or undefined when the header is absent or neither form
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, at - nowMs);
}
