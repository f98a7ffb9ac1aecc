// What the ledger benches load and run: the request (a short Chat prompt, JSON or streamed) and
// the gateway's config — the default chain (router → translator) to the bench mock, then the
// variant's ledger entry (none for the baseline), the ledger's SQLite file in the run's directory.
import net from 'node:net';
import path from 'node:path';

/** `n`, when given, makes the user's message one of its own (real traffic: every prompt new), else every request is the same. */
export const benchBody = (stream: boolean, n?: number): string => JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant. Answer in one sentence.' },
    { role: 'user', content: `Explain what a load balancer does, for someone new to web infrastructure.${n === undefined ? '' : ` (question ${n})`}` },
  ],
  temperature: 0.2, max_tokens: 64, stream,
});

/** `ledger`: the chain's ledger entry as YAML lines ('' for none); `server`: extra `server:` keys. */
export function benchConfig(opts: { port: number; upstream: string; dir: string; ledger: string; server?: string }): string {
  return `server: { port: ${opts.port}${opts.server ? `, ${opts.server}` : ''} }
storage: { database: "sqlite:${path.join(opts.dir, 'ledger.db')}" }
logging: { level: info }
providers:
  mock: { type: openai, base_url: "${opts.upstream}", api_key: bench }
chain:
  - use: router
    with: { default: mock }
  - use: translator
${opts.ledger}`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
  });
}
