// A raw client of the Responses WebSocket for integration tests: it reads each turn's messages up
// to the one ending it, and keeps how the gateway closed the socket.
import WebSocket from 'ws';

export type Msg = Record<string, unknown> & { type: string };

/** A raw client socket that reads each turn's messages up to the one ending it. */
export class Client {
  readonly messages: Msg[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => { this.messages.push(JSON.parse(data.toString()) as Msg); this.wake(); });
    ws.on('close', (code, reason) => { this.closed = { code, reason: reason.toString() }; this.wake(); });
  }

  static open(base: string, headers: Record<string, string> = {}, path = '/v1/responses'): Promise<Client> {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + path, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body, headers: res.headers })));
      });
      ws.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Sends `message` and resolves with the messages up to the one that ends a response (or an error). */
  async turn(message: unknown): Promise<Msg[]> {
    const from = this.messages.length;
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
    return this.until(from);
  }

  async until(from: number): Promise<Msg[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const got = this.messages.slice(from);
      const end = got.findIndex((m) => ['response.completed', 'response.incomplete', 'response.failed', 'error'].includes(m.type));
      if (end !== -1) return got.slice(0, end + 1);
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) after ${JSON.stringify(got.map((m) => m.type))}`);
      if (Date.now() > deadline) throw new Error(`no end of turn: ${JSON.stringify(got.map((m) => m.type))}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 200); });
    }
  }

  close(): void { this.ws.close(); }
}

export const completedOf = (msgs: Msg[]) => msgs.at(-1)!['response'] as { id: string; output: { type: string; content?: { text: string }[]; call_id?: string; name?: string }[] };
export const textOf = (msgs: Msg[]) => msgs.filter((m) => m.type === 'response.output_text.delta').map((m) => m['delta']).join('');

