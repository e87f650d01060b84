import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log';
import type { AgentMetrics, AgentState } from './agent-metrics';
import type { CameraHealth } from './camera-states';

/** The agent's health, as `GET /health` returns it. */
export interface AgentHealth {
  /** `ok` when every camera records and the broker is connected, else `degraded`. */
  status: 'ok' | 'degraded';
  /**
   * By camera id: `{ state: 'recording', since }`, `{ state: 'starting', since }` (no segment yet), or
   * `{ state: 'not-recording', since, cause, message, retryAt, maxRetryDelayMs }` (camera-states.ts).
   */
  cameras: Record<string, CameraHealth>;
  broker: 'connected' | 'disconnected';
  cacheBytes: number;
  eventsQueued: number;
  /** Seconds since the end of the oldest segment not yet uploaded (0 when none waits). */
  uploadLagSeconds: number;
}

/** The health document of the agent's current state. */
export function agentHealth(state: AgentState): AgentHealth {
  const cameras = state.cameraStates();
  const broker = state.brokerConnected() ? 'connected' : 'disconnected';
  const end = state.oldestPendingEndMs();
  return {
    status: broker === 'connected' && Object.values(cameras).every((c) => c.state === 'recording') ? 'ok' : 'degraded',
    cameras,
    broker,
    cacheBytes: state.cacheBytes(),
    eventsQueued: state.eventsQueued(),
    uploadLagSeconds: end === undefined ? 0 : Math.max(0, ((state.now ?? Date.now)() - end) / 1000),
  };
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** `http://host:port` actually listened on. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format 0.0.4) and `GET /health` (JSON {@link AgentHealth};
 * 200 whether ok or degraded: the agent process is alive and answering) on `host:port`.
 * @throws Error when the port cannot be listened on (in use, no permission)
 */
export async function startMetricsServer(opts: { host: string; port: number; metrics: AgentMetrics; state: AgentState; logger: Logger }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/metrics') {
      opts.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': opts.metrics.registry.contentType }).end(text),
        (err: unknown) => {
          opts.logger.error({ err }, 'metrics could not be collected');
          res.writeHead(500).end();
        },
      );
    } else if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(agentHealth(opts.state)));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /health\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  opts.logger.info({ url: `${url}/metrics` }, 'metrics and health endpoint listening');
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
