/**
 * Removes secrets from text before it is logged (the one redaction every log line goes through): RTSP/HTTP userinfo
 * (`rtsp://user:pass@host` → `rtsp://***@host`), SAS signatures (`sig=...`), account keys and
 * shared access keys in connection strings, function keys (`code=...`), playback-token
 * signatures, JWTs (`eyJ….….…`) and `Bearer` tokens. Used by both sides' loggers; tested in test/unit/shared/redact.test.ts.
 */
export function redact(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]+(?::[^/@\s]*)?@/gi, '$1***@')
    .replace(/([?&](?:sig|code|token|se?cret)=)[^&\s"']+/gi, '$1***')
    .replace(/((?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s"']+/gi, '$1***')
    // A JWT (Entra access token, e.g. the functions' Event Grid MQTT token): header.payload.signature, base64url.
    .replace(/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, 'eyJ***')
    .replace(/(\bBearer\s+)[A-Za-z0-9._~+/-]{16,}=*/g, '$1***');
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
