import { promises as dns } from 'node:dns';
import net from 'node:net';

/**
 * The camera URL with its host name replaced by the address it resolves to now, for ffmpeg. The static ffmpeg the
 * agent bundles (`@ffmpeg-installer/ffmpeg`, a 2018 static glibc build) crashes with SIGSEGV inside getaddrinfo on any
 * host name, `localhost` included, before it logs anything; resolving in Node (libuv's getaddrinfo: /etc/hosts, DNS,
 * mDNS where nsswitch has it) avoids that for every ffmpeg, and each recording session resolves again, so a camera
 * whose address changes is found on the next reconnect.
 *
 * Only `rtsp://` and `rtsps://` URLs are changed. Other inputs are passed as they are: files, lavfi, and `http(s)://`
 * sources, where the name also selects the virtual host and the TLS server name. With the bundled ffmpeg such a
 * source must be given by address, or set `ffmpegPath` to a dynamically linked ffmpeg. Also unchanged: URLs whose host
 * is already an IP address, and URLs without a host.
 *
 * An IPv4 address is preferred when the name has both (ffmpeg would try each in turn; one address is passed here);
 * IPv6 addresses are bracketed. Credentials, port, path and query are kept. The camera then sees the address in the
 * RTSP request URL instead of its name. RTSP cameras do not route by name. For `rtsps://` ffmpeg then sends no TLS
 * server name (SNI) and cannot check the certificate's name (it does not by default); give such a camera by address
 * or set `ffmpegPath` to a dynamically linked ffmpeg if its server needs the name.
 * @param url the camera URL as configured, e.g. `rtsp://cam-lobby.local:554/stream1`
 * @returns e.g. `rtsp://192.168.1.20:554/stream1`
 * @throws Error `camera host 'NAME' does not resolve: CODE` when the lookup fails (ENOTFOUND, EAI_AGAIN, …)
 */
export async function resolveCameraHost(url: string): Promise<string> {
  if (!/^rtsps?:\/\//i.test(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // not parseable as a URL: ffmpeg gets it as configured and reports what it makes of it
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!host || net.isIP(host)) return url;
  let address: string;
  try {
    ({ address } = await dns.lookup(host, { verbatim: false })); // IPv4 first: cameras rarely listen on IPv6 only
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`camera host '${host}' does not resolve: ${code}`);
  }
  // Swap the host in the original text: URL serialisation would re-encode the userinfo and path.
  const bracketed = net.isIPv6(address) ? `[${address}]` : address;
  const authorityStart = url.indexOf('//') + 2;
  const pathStart = url.slice(authorityStart).search(/[/?#]/);
  const authorityEnd = pathStart === -1 ? url.length : authorityStart + pathStart;
  const authority = url.slice(authorityStart, authorityEnd);
  const at = authority.lastIndexOf('@');
  const hostPort = authority.slice(at + 1);
  const port = /:(\d+)$/.exec(hostPort)?.[0] ?? '';
  return `${url.slice(0, authorityStart)}${authority.slice(0, at + 1)}${bracketed}${port}${url.slice(authorityEnd)}`;
}
