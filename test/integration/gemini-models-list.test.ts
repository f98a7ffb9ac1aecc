// GET /v1beta/models pages as Google's models.list does: `pageSize` models per page (50 by default),
// a `nextPageToken` while more are left, `pageToken` for the next page. @google/genai's pager is the
// client; it asks each page with the `pageSize` it was given and follows `nextPageToken`.
import { expect } from 'chai';
import { GoogleGenAI } from '@google/genai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const MODELS = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5'];

describe('Gemini client: the model list in pages', () => {
  let gw: TestGateway;
  let ai: GoogleGenAI;
  before(async () => {
    const routes = MODELS.map((m) => `{ match: ${m}, provider: local }`).join(', ');
    gw = await startGateway(config({ chain: `  - use: router\n    with: { routes: [${routes}], default: local }` }));
    ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
  });
  after(async () => { await gw.close(); });

  /** Without pageSize: everything (fewer than 50) in one page, with no nextPageToken. */
  async function wholeList(): Promise<string[]> {
    const all = await (await fetch(`${gw.url}/v1beta/models?key=k`)).json() as { models: { name: string }[]; nextPageToken?: string };
    expect(all).to.not.have.property('nextPageToken');
    return all.models.map((m) => m.name);
  }

  it('pageSize 2: pages of two, each model once, in order', async () => {
    const whole = await wholeList();
    expect(whole).to.include.members(MODELS.map((m) => `models/${m}`)).and.have.length.above(4);
    const pager = await ai.models.list({ config: { pageSize: 2 } });
    expect(pager.page.map((m) => m.name)).to.deep.equal(whole.slice(0, 2));
    const names: string[] = [];
    for await (const m of pager) names.push(m.name!);
    expect(names).to.deep.equal(whole);
  });

  it('the last page has no nextPageToken', async () => {
    const whole = await wholeList();
    const last = await fetch(`${gw.url}/v1beta/models?key=k&pageSize=2&pageToken=${encodeURIComponent(await tokenAfter(whole.length - 1))}`);
    const body = await last.json() as { models: { name: string }[]; nextPageToken?: string };
    expect(body.models.map((m) => m.name)).to.deep.equal(whole.slice(-1));
    expect(body).to.not.have.property('nextPageToken');
  });

  it('a negative pageSize or a made-up pageToken is a 400 INVALID_ARGUMENT', async () => {
    for (const q of ['pageSize=-1', 'pageSize=two', 'pageToken=not-a-token']) {
      const res = await fetch(`${gw.url}/v1beta/models?key=k&${q}`);
      expect(res.status, q).to.equal(400);
      expect(((await res.json()) as { error: { status: string } }).error.status).to.equal('INVALID_ARGUMENT');
    }
  });

  /** The nextPageToken the list hands out after `n` models. */
  async function tokenAfter(n: number): Promise<string> {
    const res = await fetch(`${gw.url}/v1beta/models?key=k&pageSize=${n}`);
    return ((await res.json()) as { nextPageToken: string }).nextPageToken;
  }
});
