/** The media sections of an SDP (RFC 4566) as the agent's RTSP relay (rtsp-relay.ts) needs them: control URL and clock rate. */

/** Clock rates of static RTP payload types (RFC 3551 §6), Hz. */
const STATIC_CLOCK_RATES: Record<number, number> = { 0: 8000, 3: 8000, 4: 8000, 5: 8000, 7: 8000, 8: 8000, 9: 8000, 14: 90000, 26: 90000, 32: 90000, 33: 90000, 34: 90000 };

/** One media section of an SDP: its `a=control` value as written and the clock rate of its first payload type. */
export interface SdpMedia {
  control?: string;
  clockRateHz?: number;
}

/** The media sections of an SDP (RFC 4566), each with its control attribute and clock rate (undefined when unknown). */
export function sdpMedia(sdp: string): SdpMedia[] {
  const media: Array<SdpMedia & { pt?: number; rates: Record<number, number> }> = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=\S+ \d+(?:\/\d+)? \S+ (\d+)/.exec(line);
    if (m) {
      media.push({ pt: Number(m[1]), rates: {} });
      continue;
    }
    const cur = media[media.length - 1];
    if (!cur) continue;
    const c = /^a=control:\s*(\S+)/.exec(line);
    if (c) cur.control = c[1];
    const r = /^a=rtpmap:(\d+) [^/\s]+\/(\d+)/.exec(line);
    if (r) cur.rates[Number(r[1])] = Number(r[2]);
  }
  return media.map((x) => ({ control: x.control, clockRateHz: x.pt === undefined ? undefined : (x.rates[x.pt] ?? STATIC_CLOCK_RATES[x.pt]) }));
}
