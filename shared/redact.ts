/**
 * Removes secrets from text before it is logged (the one redaction every log line goes through): RTSP/HTTP userinfo
 * (`rtsp://user:pass@host` → `rtsp://***@host`), SAS signatures (`sig=...`), account keys and
 * shared access keys in connection strings, function keys (`code=...`), playback-token
 * signatures, JWTs (`eyJ….….…`) and `Bearer` tokens. Used by both sides' loggers; tested in test/unit/shared/redact.test.ts.
 *
 * Linear in the text's length: it runs on every request line, including URLs an attacker chooses, so no pattern may
 * backtrack over a run of characters once per start position (the earlier `[a-z][a-z0-9+.-]*:\/\/` and JWT patterns
 * did: a 16 KiB URL took 143 ms, 64 KiB of letters 13 s; docs/security.md "Other denials"). Userinfo is found from
 * its `://` and the scheme checked backwards; JWTs are found by a scan over runs of base64url characters.
 */
export function redact(text: string): string {
  const masked = text
    .replace(USERINFO, hideUserinfo)
    .replace(/([?&](?:sig|code|token|se?cret)=)[^&\s"']+/gi, '$1***')
    .replace(/((?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s"']+/gi, '$1***');
  // A JWT (Entra access token, e.g. the functions' Event Grid MQTT token): header.payload.signature, base64url.
  return redactJwts(masked).replace(/(\bBearer\s+)[A-Za-z0-9._~+/-]{16,}=*/g, '$1***');
}

/**
 * `://userinfo@` (`user` or `user:password`, no `/`, `@` or white space). Anchored on the literal `://`, so a start
 * position that is not `:` fails at once, and a candidate's scan ends at the next `/` (every later `://` has one).
 */
const USERINFO = /:\/\/([^/@\s:]+(?::[^/@\s]*)?)@/g;

/**
 * Replaces the userinfo of a URL whose scheme (RFC 3986: a letter, then letters, digits, `+`, `.`, `-`; any case)
 * ends right before `://`. The backward scan stops at the first non-scheme character; two candidates' scans never
 * overlap (a candidate ends with `@`, a scheme character never is one), so the scans total at most the text's length.
 */
function hideUserinfo(match: string, _userinfo: string, offset: number, text: string): string {
  let i = offset - 1;
  let letter = false;
  for (; i >= 0 && isSchemeChar(text.charCodeAt(i)); i--) letter ||= isLetter(text.charCodeAt(i));
  return letter ? '://***@' : match;
}

/**
 * Replaces each JWT (`eyJ` header at a word boundary, ≥ 4 more base64url characters, `.`, payload of ≥ 4, `.`, the
 * signature) with `eyJ***`. A candidate that fails leaves the scan at the end of its header run: every later `eyJ` in
 * that run shares the run's end and fails the same way, so no run is scanned more than a few times.
 */
function redactJwts(text: string): string {
  let out = '';
  let copied = 0;
  let from = 0;
  for (;;) {
    const p = text.indexOf('eyJ', from);
    if (p < 0) break;
    if (p > 0 && isWordChar(text.charCodeAt(p - 1))) {
      from = p + 1;
      continue;
    }
    const headerEnd = base64urlRunEnd(text, p + 3);
    if (headerEnd - (p + 3) >= 4 && text.charCodeAt(headerEnd) === DOT) {
      const payloadEnd = base64urlRunEnd(text, headerEnd + 1);
      if (payloadEnd - (headerEnd + 1) >= 4 && text.charCodeAt(payloadEnd) === DOT) {
        const signatureEnd = base64urlRunEnd(text, payloadEnd + 1);
        out += `${text.slice(copied, p)}eyJ***`;
        copied = from = signatureEnd;
        continue;
      }
    }
    from = Math.max(headerEnd, p + 1);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const DOT = 0x2e;

/** The index after the run of base64url characters (`A-Z a-z 0-9 _ -`) starting at `i`. */
function base64urlRunEnd(text: string, i: number): number {
  while (i < text.length && (isWordChar(text.charCodeAt(i)) || text.charCodeAt(i) === 0x2d)) i++;
  return i;
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A regex `\w` character: a letter, a digit or `_`. */
function isWordChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 0x5f;
}

/** A URI scheme character after the first: letter, digit, `+`, `-`, `.`. */
function isSchemeChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** Deep-copies a plain value with every string passed through {@link redact}; for log fields. */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, /password|secret|key|authenticationData|authorization/i.test(k) ? '***' : redactValue(v)])) as T;
  }
  return value;
}
