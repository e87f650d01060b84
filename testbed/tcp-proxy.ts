import net from 'node:net';

/** A loopback TCP proxy a test or benchmark controls, in front of Azurite, a broker or an RTSP server (the outage and fault tests, the soak). */
export interface TcpProxy {
  /** Port the proxy listens on (127.0.0.1). */
  port: number;
  /** Refuses new connections and drops the open ones (a cut link). */
  cut(): void;
  /** Keeps every connection open but forwards nothing, either way (a black-holed link); new connections hang too. */
  stall(): void;
  /** Forwards again; connections that lived through a stall are dropped (their byte streams have holes). */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `127.0.0.1:targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: 'open' | 'cut' | 'stall' = 'open';
  const open = new Set<net.Socket>();
  const stalledThrough = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(from);
      from.on('close', () => {
        open.delete(from);
        stalledThrough.delete(from);
        to.destroy();
      });
      from.on('error', () => {});
      from.on('data', (d) => {
        if (mode === 'open') to.write(d);
      });
    }
    if (mode === 'stall') for (const s of [client, upstream]) stalledThrough.add(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      mode = 'cut';
      for (const s of open) s.destroy();
    },
    stall() {
      mode = 'stall';
      for (const s of open) stalledThrough.add(s);
    },
    restore() {
      mode = 'open';
      for (const s of stalledThrough) s.destroy();
      stalledThrough.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
