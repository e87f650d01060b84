/**
 * True when `hostname` (a URL's `hostname`: `127.0.0.1`, `[::1]`, `localhost`) names this machine: 127.0.0.0/8, ::1,
 * `localhost` or a name under `.localhost` (RFC 6761 §6.3). Traffic to such a host never leaves the machine, so it may
 * go without TLS.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * True when `url` is `https:`, or `http:` to a loopback host ({@link isLoopbackHost}); false for any other scheme or
 * for text that is not a URL.
 */
export function isTlsOrLoopbackUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
}
