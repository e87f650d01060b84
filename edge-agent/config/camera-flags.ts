/**
 * Parses repeatable `--camera ID=URL` command-line flags (keepwatch-agent and `npm start`) into camera entries;
 * the ids and URLs are validated later by the agent config schema (shared/schemas/agent-config.ts).
 * @param values the flag values, e.g. `['door-1=rtsp://10.0.0.5:554/stream']`
 * @returns `[{ id: 'door-1', url: 'rtsp://10.0.0.5:554/stream' }]`
 * @throws Error naming the flag when a value has no `=` or an empty id
 */
export function parseCameraFlags(values: readonly string[]): Array<{ id: string; url: string }> {
  return values.map((v) => {
    const i = v.indexOf('=');
    if (i <= 0) throw new Error(`--camera ${JSON.stringify(v)}: expected ID=URL, e.g. --camera door-1=rtsp://10.0.0.5:554/stream`);
    return { id: v.slice(0, i), url: v.slice(i + 1) };
  });
}
