import assert from 'node:assert/strict';
import { ValidationError } from '../../shared/errors';
import { parseAgentConfig } from '../../shared/schemas/agent-config';

/** One camera of a minimal valid agent config, parsed: `camera` is merged into `{ id: 'door-1', url: 'rtsp://…' }`. */
export function parsedCamera(camera: Record<string, unknown>) {
  return parseAgentConfig({
    deviceId: 'site-1',
    cameras: [{ id: 'door-1', url: 'rtsp://10.0.0.5/stream', ...camera }],
    broker: { url: 'mqtt://127.0.0.1:1883', password: 'pw' },
    upload: { connectionString: 'UseDevelopmentStorage=true' },
  }).cameras[0];
}

/** Asserts that such a camera is refused with a ValidationError whose message matches `pattern`. */
export function assertCameraRejected(camera: Record<string, unknown>, pattern: RegExp): void {
  assert.throws(() => parsedCamera(camera), (err: unknown) => err instanceof ValidationError && pattern.test(err.message), `expected ${pattern}`);
}
