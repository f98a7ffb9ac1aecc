// GET /admin/openapi.json describes every admin route the chain mounts — auth's, the ledger's
// (/admin/usage, /admin/audit) and a third-party plugin's — from what each gave addAdminRoute.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const ADMIN_KEY = 'openapi-admin-key-0123456789';

const PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'notes', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: (o, host) => {
    host.addAdminRoute('GET', '/notes/:id', (req) => ({ body: { id: req.params.id, text: 'x' } }),
      { summary: 'Show a note', query: { format: 'text or html' }, response: z.object({ id: z.string(), text: z.string() }), errors: { 404: 'No such note' } });
    host.addAdminRoute('POST', '/notes/purge', () => ({ body: {} }));
    // Not a zod schema the document can render: the route is listed all the same.
    host.addAdminRoute('GET', '/notes', () => ({ body: [] }), { summary: 'List notes', response: { notZod: true } });
    return {};
  } });
`;

interface Operation {
  summary: string;
  tags: string[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown>; anyOf?: { properties: Record<string, unknown> }[] } }> }>;
  'x-sluice-plugin'?: string;
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; tags: { name: string }[] };

async function openapi(gw: TestGateway): Promise<Doc> {
  const res = await fetch(`${gw.url}/admin/openapi.json`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(res.status).to.equal(200);
  return await res.json() as Doc;
}
const queryOf = (op: Operation) => (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);

describe('admin API: GET /admin/openapi.json describes every plugin\'s routes', function () {
  this.timeout(30_000);
  let gw: TestGateway | undefined;
  afterEach(async () => { await gw?.close(); gw = undefined; });

  it('lists the ledger\'s /admin/usage and /admin/audit with their parameters and answers beside auth\'s routes', async () => {
    gw = await startGateway(`${config({ chain: '  - use: auth\n    with: { mode: api_key }\n  - use: router\n    with: { default: local }\n  - use: ledger' })}admin: { key: "${ADMIN_KEY}" }\n`);
    const doc = await openapi(gw);
    expect(doc.openapi).to.equal('3.1.0');
    expect(Object.keys(doc.paths)).to.include.members(['/admin/usage', '/admin/audit', '/admin/keys', '/admin/keys/{id}/revoke', '/admin/openapi.json']);
    const usage = doc.paths['/admin/usage']!['get']!;
    expect(usage['x-sluice-plugin']).to.equal('ledger');
    expect(queryOf(usage)).to.have.members(['since', 'until', 'by', 'session']);
    expect(usage.responses).to.have.keys('200', '400', '401', '429');
    const answers = usage.responses['200']!.content!['application/json']!.schema.anyOf!;
    expect(answers.map((a) => Object.keys(a.properties))).to.deep.equal([['since', 'until', 'by', 'rows', 'total'], ['since', 'until', 'session', 'turns', 'loops', 'total']]);
    const audit = doc.paths['/admin/audit']!['get']!;
    expect(queryOf(audit)).to.have.members(['since', 'until']);
    const auditRows = audit.responses['200']!.content!['application/json']!.schema.properties!['rows'] as { items: { properties: Record<string, unknown> } };
    expect(Object.keys(auditRows.items.properties)).to.include.members(['day', 'provider', 'model', 'ttfb_p50_ms', 'tokens_per_s_p50', 'error_rate', 'fallback_rate', 'input_drift_pct', 'degraded', 'degradation']);
    // Auth's routes keep their description.
    const createKey = doc.paths['/admin/keys']!['post']!;
    expect(createKey['x-sluice-plugin']).to.equal('auth');
    expect(createKey.responses).to.include.keys('201', '409');
    expect(doc.tags.map((t) => t.name)).to.include.members(['keys', 'usage', 'meta']);
  });

  it('serves the document without the auth plugin, and lists a third-party plugin\'s routes, described or not', async () => {
    gw = await startGateway(`${config({ chain: '  - use: router\n    with: { default: local }\n  - use: ledger\n  - use: ./notes.mjs' })}admin: { key: "${ADMIN_KEY}" }\n`, { files: { 'notes.mjs': PLUGIN } });
    const doc = await openapi(gw);
    expect(Object.keys(doc.paths)).to.include.members(['/admin/usage', '/admin/audit', '/admin/notes/{id}', '/admin/notes/purge']);
    expect(Object.keys(doc.paths)).to.not.include('/admin/keys');
    const note = doc.paths['/admin/notes/{id}']!['get']!;
    expect(note).to.include({ summary: 'Show a note', 'x-sluice-plugin': 'notes' });
    expect(note.parameters!.map((p) => `${p.in}:${p.name}`)).to.deep.equal(['path:id', 'query:format']);
    expect(note.responses).to.have.keys('200', '400', '401', '404');
    expect(doc.paths['/admin/notes']!['get']!.summary).to.equal('List notes');
    const purge = doc.paths['/admin/notes/purge']!['post']!;
    expect(purge.summary).to.match(/notes/);
    expect(purge.tags).to.deep.equal(['notes']);
  });
});
