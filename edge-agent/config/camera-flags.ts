/** RTSP transports a camera can be read over (ffmpeg's `-rtsp_transport`). */
const RTSP_TRANSPORTS = ['tcp', 'udp', 'http'] as const;

/** One camera given on the command line. */
export type CameraFlag = {
  id: string;
  url: string;
  /** Only when `--rtsp-transport` named this camera; the schema's default (tcp) applies otherwise. */
  rtspTransport?: (typeof RTSP_TRANSPORTS)[number];
};

/**
 * Parses repeatable `--camera ID=URL` command-line flags (keepwatch-agent and `npm start`) into camera entries, with
 * each camera's RTSP transport from repeatable `--rtsp-transport ID=tcp|udp|http` flags (some RTSP servers, VLC's
 * among them, offer RTP over UDP only); the ids and URLs are validated later by the agent config schema
 * (shared/schemas/agent-config.ts).
 * @param values the flag values, e.g. `['door-1=rtsp://10.0.0.5:554/stream']`
 * @param transports e.g. `['door-1=udp']`
 * @returns `[{ id: 'door-1', url: 'rtsp://10.0.0.5:554/stream', rtspTransport: 'udp' }]`
 * @throws Error naming the flag when a value has no `=` or an empty id, a transport is not tcp/udp/http, or a
 *   transport names no `--camera`
 */
export function parseCameraFlags(values: readonly string[], transports: readonly string[] = []): CameraFlag[] {
  const cameras: CameraFlag[] = values.map((v) => {
    const [id, url] = splitFlag(v);
    if (id === undefined) throw new Error(`--camera ${JSON.stringify(v)}: expected ID=URL, e.g. --camera door-1=rtsp://10.0.0.5:554/stream`);
    return { id, url };
  });
  for (const t of transports) {
    const [id, transport] = splitFlag(t);
    if (id === undefined) throw new Error(`--rtsp-transport ${JSON.stringify(t)}: expected ID=tcp|udp|http, e.g. --rtsp-transport door-1=udp`);
    const camera = cameras.find((c) => c.id === id);
    if (!camera) throw new Error(`--rtsp-transport ${JSON.stringify(t)}: no --camera ${id}=URL is given`);
    if (!(RTSP_TRANSPORTS as readonly string[]).includes(transport)) throw new Error(`--rtsp-transport ${JSON.stringify(t)}: transport must be tcp, udp or http`);
    camera.rtspTransport = transport as CameraFlag['rtspTransport'];
  }
  return cameras;
}

/** `a=b` → `['a', 'b']`; no `=` or an empty left side → `[undefined, '']`. */
function splitFlag(v: string): [string, string] | [undefined, string] {
  const i = v.indexOf('=');
  return i <= 0 ? [undefined, ''] : [v.slice(0, i), v.slice(i + 1)];
}
