// A TCP proxy in front of a real server, to stop and restart: a real network failure between the
// gateway and its PostgreSQL (the shared server itself is never stopped).
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Cuts every connection and stops listening (connections are then refused). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /**
   * A database that stops answering without refusing: connections stay open and new ones are
   * accepted, but nothing is forwarded either way (packets dropped on the way). `stop` ends it.
   */
  hang(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const links = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let hung = false;
  let server: net.Server | undefined;
  let port = 0;
  const listen = async () => {
    const s = net.createServer((client) => {
      sockets.add(client);
      client.on('error', () => client.destroy());
      client.on('close', () => sockets.delete(client));
      if (hung) return; // accepted, never answered
      const upstream = net.connect(targetPort, targetHost);
      sockets.add(upstream);
      const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
      client.on('error', drop); upstream.on('error', drop); client.on('close', drop); upstream.on('close', drop);
      client.pipe(upstream).pipe(client);
      links.add({ client, upstream });
    });
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', () => resolve()); });
    port = (s.address() as net.AddressInfo).port;
    server = s;
  };
  await listen();
  const hang = () => {
    hung = true;
    // Unpiped and paused: what either side sends from now on is read by no one.
    for (const { client, upstream } of links) { client.unpipe(); upstream.unpipe(); client.pause(); upstream.pause(); }
  };
  const stop = async () => {
    hung = false;
    links.clear();
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  return { get port() { return port; }, stop, start: listen, hang, close: stop };
}

