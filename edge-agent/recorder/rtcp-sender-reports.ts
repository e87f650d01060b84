/**
 * RTCP sender reports (RFC 3550 §6.4.1) as the agent's RTSP relay (rtsp-relay.ts) passes, re-times or takes them out,
 * so that ffmpeg's timing of each stream stays on its RTP clock.
 */

/** RTCP packet type of a sender report (RFC 3550 §12.1). */
export const RTCP_SR = 200;
/** RTCP packet type of a receiver report. */
export const RTCP_RR = 201;

/** One stream's sender-report state in {@link filterSenderReports}. */
export interface SenderReportState {
  /** RTP clock rate of the stream, Hz (undefined: unknown, later reports are taken out rather than re-timed). */
  clockRateHz?: number;
  /** NTP time (64-bit fixed point, 2^-32 s) and RTP timestamp of the first report passed; undefined before it. */
  first?: { ntp: bigint; rtp: number };
  /** RTP timestamp of the last report seen, and how far it is from `first.rtp`, unwrapped (ticks). */
  last?: { rtp: number; sinceFirst: bigint };
  /**
   * Set when the stream's RTP reached ffmpeg before its first report: every report of the stream is then taken out,
   * so that ffmpeg keeps timing it from the RTP clock alone (a first report would move it once, by the server's
   * mismatch between its RTP-Info or first packet and its NTP clock).
   */
  noReports?: boolean;
  /** Reports seen, passed as sent (the first), re-timed and taken out. */
  seen: number;
  forwarded: number;
  retimed: number;
  dropped: number;
}

/** A fresh {@link SenderReportState}. */
export function senderReportState(clockRateHz?: number): SenderReportState {
  return { clockRateHz, seen: 0, forwarded: 0, retimed: 0, dropped: 0 };
}

/**
 * Filters one RTCP datagram or interleaved RTCP frame of one stream (a compound packet, RFC 3550 §6.1: packets of
 * 4-byte header with version 2, packet type, length in 32-bit words minus one). The stream's first sender report is
 * left as it is. A later one is re-timed when the clock rate is known: its NTP timestamp (bytes 8-15) becomes
 * `first.ntp + round((rtp − first.rtp) · 2^32 / clockRateHz)`, so that ffmpeg's re-timing adds exactly the RTP ticks
 * since the first report. Without a clock rate, or with {@link SenderReportState.noReports}, a later report is turned
 * into a receiver report (packet type 201,
 * the 20 bytes of sender info removed, its report blocks kept): the compound packet stays valid (it must start with an
 * SR or RR) and its SDES, BYE and report blocks still reach ffmpeg, which ignores receiver reports.
 *
 * Malformed packets (wrong version, a length past the end) are returned unchanged, and so is the rest of a compound
 * packet after them. Mutates `state`.
 * @returns the packet to send (a new buffer when changed)
 */
export function filterSenderReports(packet: Buffer, state: SenderReportState): Buffer {
  const parts: Buffer[] = [];
  let changed = false;
  let at = 0;
  while (at + 4 <= packet.length) {
    const version = packet[at] >> 6;
    const type = packet[at + 1];
    const bytes = (packet.readUInt16BE(at + 2) + 1) * 4;
    if (version !== 2 || at + bytes > packet.length) break;
    const part = packet.subarray(at, at + bytes);
    at += bytes;
    if (type !== RTCP_SR || bytes < 28) {
      parts.push(part);
      continue;
    }
    state.seen++;
    const ntp = part.readBigUInt64BE(8);
    const rtp = part.readUInt32BE(16);
    if (!state.first && !state.noReports) {
      state.first = { ntp, rtp };
      state.last = { rtp, sinceFirst: 0n };
      state.forwarded++;
      parts.push(part);
      continue;
    }
    changed = true;
    const last = state.last ?? { rtp: state.first?.rtp ?? rtp, sinceFirst: 0n };
    const sinceFirst = last.sinceFirst + BigInt((rtp - last.rtp) | 0);
    state.last = { rtp, sinceFirst };
    if (state.first && state.clockRateHz && !state.noReports) {
      const rate = BigInt(state.clockRateHz);
      const offset = sinceFirst >= 0n ? (sinceFirst * 2n ** 32n + rate / 2n) / rate : -((-sinceFirst * 2n ** 32n + rate / 2n) / rate);
      const retimed = Buffer.from(part);
      retimed.writeBigUInt64BE(BigInt.asUintN(64, state.first.ntp + offset), 8);
      state.retimed++;
      parts.push(retimed);
    } else {
      const rr = Buffer.concat([part.subarray(0, 8), part.subarray(28)]);
      rr[1] = RTCP_RR;
      rr.writeUInt16BE(rr.length / 4 - 1, 2);
      state.dropped++;
      parts.push(rr);
    }
  }
  if (!changed) return packet;
  if (at < packet.length) parts.push(packet.subarray(at));
  return Buffer.concat(parts);
}
