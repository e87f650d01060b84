import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { azuriteConnectionString, type AzuriteInstance } from '../local/azurite';
import { classifyBlobRequest, classifyTableRequest, countSubRequests, type StorageBillingClass } from './storage-request-class';

/** Requests of one operation seen by the proxy. */
export interface OperationCount {
  service: 'blob' | 'table';
  operation: string;
  billingClass: StorageBillingClass;
  requests: number;
  /** Operations inside batch bodies (Blob Batch, entity group transactions); 0 for other requests. */
  subRequests: number;
  /** Request body bytes (Content-Length). */
  requestBytes: number;
}

/** A running counting proxy. */
export interface CountingStorageProxy {
  /** Connection string pointing at the proxy (the development account of Azurite). */
  connectionString: string;
  /** Counts so far, one entry per service + operation, plus per-table entity write bytes. */
  snapshot(): { operations: OperationCount[]; entityBytesByTable: Record<string, number> };
  /** Forgets the counts (e.g. after the stack's start-up, to count a steady-state window only). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of Azurite's blob and table ports that counts every request by service, REST operation and
 * billing class (bench/storage-request-class.ts): the real requests the SDK clients of the functions and of the agent
 * send, as Azure Storage would bill them. Bodies are streamed through untouched (Shared Key signatures cover the path
 * and headers, not the host); batch bodies are also scanned for their sub-requests. Used by `npm run bench -- --only
 * cost` through the local stack's `storageFront` option.
 */
export async function startCountingStorageProxy(azurite: AzuriteInstance): Promise<CountingStorageProxy> {
  let counts = new Map<string, OperationCount>();
  let entityBytes: Record<string, number> = {};
  const start = async (service: 'blob' | 'table', targetPort: number) => {
    const server = http.createServer((req, res) => {
      const target = req.url ?? '/';
      const kind = service === 'blob' ? classifyBlobRequest(req.method ?? 'GET', target) : classifyTableRequest(req.method ?? 'GET', target);
      const key = `${service} ${kind.operation}`;
      const entry = counts.get(key) ?? { ...kind, requests: 0, subRequests: 0, requestBytes: 0 };
      counts.set(key, entry);
      entry.requests += 1;
      const length = Number(req.headers['content-length'] ?? 0) || 0;
      entry.requestBytes += length;
      // Entity writes, and entity group transactions (the segment rows) whole: an upper bound of what the index stores.
      if (service === 'table' && (/^Insert/.test(kind.operation) || kind.operation === 'EntityGroupTransaction')) {
        const table = decodeURIComponent(new URL(target, 'http://x').pathname.split('/')[2] ?? '').replace(/\(.*$/, '');
        entityBytes[table] = (entityBytes[table] ?? 0) + length;
      }
      const scan = kind.billingClass === 'batch' || kind.operation === 'EntityGroupTransaction';
      const chunks: Buffer[] = [];
      const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: target, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`counting proxy: ${err.message}`);
      });
      req.on('data', (d: Buffer) => {
        if (scan) chunks.push(d);
        upstream.write(d);
      });
      req.on('end', () => {
        if (scan) entry.subRequests += countSubRequests(Buffer.concat(chunks).toString('latin1'));
        upstream.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  };
  const blob = await start('blob', azurite.blobPort);
  const table = await start('table', azurite.tablePort);
  const port = (s: http.Server) => (s.address() as AddressInfo).port;
  return {
    connectionString: azuriteConnectionString(`http://127.0.0.1:${port(blob)}/${azurite.accountName}`, `http://127.0.0.1:${port(table)}/${azurite.accountName}`),
    snapshot: () => ({ operations: [...counts.values()].map((c) => ({ ...c })), entityBytesByTable: { ...entityBytes } }),
    reset: () => {
      counts = new Map();
      entityBytes = {};
    },
    close: async () => {
      for (const s of [blob, table]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}
