/**
 * Per-packet hashes of a media file as ffmpeg's `framemd5` muxer writes them with `-c copy` (one line per packet:
 * `stream, dts, pts, duration, size, hash`), and the comparison that proves an MP4 holds a stored segments' packets
 * unchanged (the evidence export's verification, `keepwatch-admin verify-export`). Pure: text in, verdict out.
 */

/** One packet: its size in bytes and the MD5 of its bytes. */
export interface PacketHash {
  size: number;
  md5: string;
}

/** The packets of each stream, in decode order, and the stream's extradata hash line (codec configuration). */
export interface PacketHashes {
  streams: Map<number, PacketHash[]>;
  extradata: Map<number, string>;
}

/**
 * Parses framemd5 output (version 2).
 * @throws Error naming the line when a packet line does not have six fields
 */
export function parseFramemd5(text: string): PacketHashes {
  const streams = new Map<number, PacketHash[]>();
  const extradata = new Map<number, string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const extra = /^#extradata (\d+),\s*(\d+),\s*([0-9a-f]{32})$/.exec(line);
    if (extra) extradata.set(Number(extra[1]), `${extra[2]} ${extra[3]}`);
    if (line.startsWith('#')) continue;
    const f = line.split(',').map((x) => x.trim());
    if (f.length < 6 || !/^[0-9a-f]{32}$/.test(f[5]!)) throw new Error(`framemd5 line ${i + 1} is not a packet line: ${JSON.stringify(line.slice(0, 120))}`);
    const stream = Number(f[0]);
    const list = streams.get(stream) ?? [];
    list.push({ size: Number(f[4]), md5: f[5]! });
    streams.set(stream, list);
  }
  return { streams, extradata };
}

/** The verdict of {@link comparePackets}: empty `problems` means the export's packets are the reference's. */
export interface PacketComparison {
  /** Packets of the export per stream that were matched. */
  matched: Map<number, number>;
  problems: string[];
}

/**
 * Checks that `exported` (the MP4's packets) is `reference` (the same segments remuxed the same way, uncut) cut at
 * the end: the same streams with the same codec configuration, and in each stream the export's packets equal the
 * reference's first packets one for one (size and MD5), none missing in between, none added. A changed byte in any
 * packet, a packet left out or added, or another stream fails.
 */
export function comparePackets(exported: PacketHashes, reference: PacketHashes): PacketComparison {
  const problems: string[] = [];
  const matched = new Map<number, number>();
  const ids = (h: PacketHashes) => [...h.streams.keys()].sort((a, b) => a - b).join(',');
  if (ids(exported) !== ids(reference)) problems.push(`the MP4 has streams [${ids(exported)}], the segments [${ids(reference)}]`);
  for (const [stream, packets] of exported.streams) {
    if (exported.extradata.get(stream) !== reference.extradata.get(stream)) problems.push(`stream ${stream}: codec configuration (extradata) differs from the segments'`);
    const ref = reference.streams.get(stream) ?? [];
    if (packets.length === 0) problems.push(`stream ${stream}: no packets`);
    if (packets.length > ref.length) problems.push(`stream ${stream}: the MP4 has ${packets.length} packets, the segments only ${ref.length}`);
    let n = 0;
    while (n < packets.length && n < ref.length && packets[n]!.size === ref[n]!.size && packets[n]!.md5 === ref[n]!.md5) n++;
    matched.set(stream, n);
    if (n < Math.min(packets.length, ref.length)) {
      problems.push(`stream ${stream}: packet ${n} differs (MP4 ${packets[n]!.size} bytes md5 ${packets[n]!.md5}, segments ${ref[n]!.size} bytes md5 ${ref[n]!.md5})`);
    }
  }
  return { matched, problems };
}
