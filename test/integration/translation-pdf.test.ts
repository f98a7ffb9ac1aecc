// PDFs cross between every pair of protocols, each in the target's own shape: Anthropic
// `document` (base64 or url source), Chat `file` (`file_data` as a data URL, with a filename),
// Responses `input_file` (`file_data` or `file_url`), Gemini `inlineData` / `fileData` with
// mimeType application/pdf. Chat takes no file URL: a PDF given by URL is not sent there, and the
// `translation drops fields` debug line names it. Each client is its official SDK; a recording
// mock shows what each upstream was sent.
import { expect } from 'chai';
import type { TestGateway } from '../helpers/gateway.js';
import { anthropicClient, genaiClient, GENERATE, openaiClient, startRecordedTranslation, type GenProtocol } from '../helpers/translation-rig.js';
import type { RecordingUpstream } from '../helpers/recording-upstream.js';

const PDF_DATA = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const PDF_URL = 'https://example.com/report.pdf';
const MODEL: Record<GenProtocol, string> = { 'openai.chat': 'to-chat', 'openai.responses': 'to-responses', 'anthropic.messages': 'to-anthropic', 'gemini.generate': 'to-gemini' };

interface LogLine { msg: string; to?: string; fields?: string[] }

/** The PDF as the upstream speaking `p` must receive it, from the request body it was sent. */
function pdfSent(p: GenProtocol, body: Record<string, unknown>): unknown[] {
  const parts = (list: unknown): Record<string, unknown>[] => (Array.isArray(list) ? list as Record<string, unknown>[] : []);
  switch (p) {
    case 'openai.chat': return parts(body['messages']).flatMap((m) => parts(m['content'])).filter((c) => c['type'] === 'file');
    // In a message's content, or a tool's output / result content.
    case 'openai.responses': return parts(body['input']).flatMap((m) => [...parts(m['content']), ...parts(m['output'])]).filter((c) => c['type'] === 'input_file');
    case 'anthropic.messages': return parts(body['messages']).flatMap((m) => parts(m['content'])).flatMap((c) => [c, ...parts(c['content'])]).filter((c) => c['type'] === 'document');
    case 'gemini.generate': return parts(body['contents']).flatMap((m) => parts(m['parts'])).filter((c) => (c['inlineData'] ?? c['fileData']) !== undefined);
  }
}

/** The base64 PDF as each upstream takes it. */
const EXPECTED: Record<GenProtocol, (filename: string | undefined) => unknown> = {
  'openai.chat': (f) => ({ type: 'file', file: { filename: f ?? 'document.pdf', file_data: `data:application/pdf;base64,${PDF_DATA}` } }),
  'openai.responses': (f) => ({ type: 'input_file', filename: f ?? 'document.pdf', file_data: `data:application/pdf;base64,${PDF_DATA}` }),
  'anthropic.messages': (f) => ({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF_DATA }, ...(f ? { title: f } : {}) }),
  'gemini.generate': () => ({ inlineData: { mimeType: 'application/pdf', data: PDF_DATA } }),
};

describe('translation: PDFs reach every provider in its own shape', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  let close: () => Promise<void>;
  before(async () => {
    ({ up, gw, close } = await startRecordedTranslation([
      '{ match: to-chat, provider: up-chat, model: gpt-4.1, mode: translation }',
      '{ match: to-responses, provider: up-responses, model: gpt-4.1, mode: translation }',
      '{ match: to-anthropic, provider: up-anthropic, model: claude-sonnet-4-5, mode: translation }',
      '{ match: to-gemini, provider: up-gemini, model: gemini-2.5-flash, mode: translation }',
    ]));
  });
  after(async () => { await close(); });

  const lastBody = (): Record<string, unknown> => up.requests[up.requests.length - 1]!.body!;
  const dropLine = (): LogLine | undefined => gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'translation drops fields').pop();

  /** Each client sends the base64 PDF (with a filename where its protocol has one) and a question. */
  const send: Record<GenProtocol, (model: string) => Promise<unknown>> = {
    'openai.chat': (model) => openaiClient(gw.url).chat.completions.create({ model, messages: [{ role: 'user', content: [
      { type: 'file', file: { filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF_DATA}` } }, { type: 'text', text: 'Summarise it.' },
    ] }] }),
    'openai.responses': (model) => openaiClient(gw.url).responses.create({ model, input: [{ role: 'user', content: [
      { type: 'input_file', filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF_DATA}` }, { type: 'input_text', text: 'Summarise it.' },
    ] }] }),
    'anthropic.messages': (model) => anthropicClient(gw.url).messages.create({ model, max_tokens: 100, messages: [{ role: 'user', content: [
      { type: 'document', title: 'report.pdf', source: { type: 'base64', media_type: 'application/pdf', data: PDF_DATA } }, { type: 'text', text: 'Summarise it.' },
    ] }] }),
    'gemini.generate': (model) => genaiClient(gw.url).models.generateContent({ model, contents: [{ role: 'user', parts: [
      { inlineData: { mimeType: 'application/pdf', data: PDF_DATA } }, { text: 'Summarise it.' },
    ] }] }),
  };

  for (const client of GENERATE) {
    for (const target of GENERATE.filter((t) => t !== client)) {
      it(`${client} → ${target}: the base64 PDF`, async () => {
        await send[client](MODEL[target]);
        // Gemini's inlineData has no filename: the others get OpenAI's default one.
        const filename = client === 'gemini.generate' ? undefined : 'report.pdf';
        expect(pdfSent(target, lastBody())).to.deep.equal([EXPECTED[target](filename)]);
      });
    }
  }

  describe('a PDF given by URL', () => {
    const byUrl: Record<'anthropic.messages' | 'openai.responses' | 'gemini.generate', (model: string) => Promise<unknown>> = {
      'anthropic.messages': (model) => anthropicClient(gw.url).messages.create({ model, max_tokens: 100, messages: [{ role: 'user', content: [
        { type: 'document', source: { type: 'url', url: PDF_URL } }, { type: 'text', text: 'Summarise it.' },
      ] }] }),
      'openai.responses': (model) => openaiClient(gw.url).responses.create({ model, input: [{ role: 'user', content: [
        { type: 'input_file', file_url: PDF_URL }, { type: 'input_text', text: 'Summarise it.' },
      ] }] }),
      'gemini.generate': (model) => genaiClient(gw.url).models.generateContent({ model, contents: [{ role: 'user', parts: [
        { fileData: { mimeType: 'application/pdf', fileUri: PDF_URL } }, { text: 'Summarise it.' },
      ] }] }),
    };
    const AT_URL: Record<'anthropic.messages' | 'openai.responses' | 'gemini.generate', unknown> = {
      'anthropic.messages': { type: 'document', source: { type: 'url', url: PDF_URL } },
      'openai.responses': { type: 'input_file', file_url: PDF_URL },
      'gemini.generate': { fileData: { mimeType: 'application/pdf', fileUri: PDF_URL } },
    };
    const NAMES = { 'anthropic.messages': 'messages[].content[].source(url)', 'openai.responses': 'input[].content[].file_url', 'gemini.generate': 'contents[].parts[].fileData' };
    for (const client of ['anthropic.messages', 'openai.responses', 'gemini.generate'] as const) {
      for (const target of (['anthropic.messages', 'openai.responses', 'gemini.generate'] as const).filter((t) => t !== client)) {
        it(`${client} → ${target}: the URL`, async () => {
          await byUrl[client](MODEL[target]);
          expect(pdfSent(target, lastBody())).to.deep.equal([AT_URL[target]]);
        });
      }
      it(`${client} → openai.chat (no file URLs): not sent, and named in the drops line`, async () => {
        await byUrl[client](MODEL['openai.chat']);
        expect(pdfSent('openai.chat', lastBody())).to.deep.equal([]);
        expect(dropLine()).to.deep.include({ to: 'openai.chat' });
        expect(dropLine()!.fields).to.include(NAMES[client]);
      });
    }
  });

  describe('a PDF a tool returned (Claude Code reading a PDF file)', () => {
    const tools = { lookup: { description: 'read a file', schema: { type: 'object', properties: { path: { type: 'string' } } } } };
    const ask = 'Summarise report.pdf.';
    /** Each client's turn answering a `read` call with the PDF (only Chat's tool messages cannot hold one). */
    const answer: Record<'anthropic.messages' | 'openai.responses' | 'gemini.generate', (model: string) => Promise<unknown>> = {
      'anthropic.messages': (model) => anthropicClient(gw.url).messages.create({
        model, max_tokens: 100, tools: [{ name: 'read', description: tools.lookup.description, input_schema: tools.lookup.schema as never }],
        messages: [
          { role: 'user', content: ask },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_pdf', name: 'read', input: { path: 'report.pdf' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_pdf', content: [
            { type: 'text', text: 'PDF file read' },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF_DATA } } as never,
          ] }] },
        ],
      }),
      'openai.responses': (model) => openaiClient(gw.url).responses.create({
        model, tools: [{ type: 'function', name: 'read', description: tools.lookup.description, parameters: tools.lookup.schema, strict: false }],
        input: [
          { role: 'user', content: ask },
          { type: 'function_call', call_id: 'call_pdf', name: 'read', arguments: '{"path":"report.pdf"}' },
          { type: 'function_call_output', call_id: 'call_pdf', output: [
            { type: 'input_text', text: 'PDF file read' }, { type: 'input_file', filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF_DATA}` },
          ] },
        ],
      }),
      'gemini.generate': (model) => genaiClient(gw.url).models.generateContent({
        model, config: { tools: [{ functionDeclarations: [{ name: 'read', description: tools.lookup.description, parametersJsonSchema: tools.lookup.schema }] }] },
        contents: [
          { role: 'user', parts: [{ text: ask }] },
          { role: 'model', parts: [{ functionCall: { id: 'call_pdf', name: 'read', args: { path: 'report.pdf' } } }] },
          { role: 'user', parts: [{ functionResponse: { id: 'call_pdf', name: 'read', response: { output: 'PDF file read' }, parts: [{ inlineData: { mimeType: 'application/pdf', data: PDF_DATA } }] } }] },
        ],
      }),
    };
    for (const client of ['anthropic.messages', 'openai.responses', 'gemini.generate'] as const) {
      for (const target of GENERATE.filter((t) => t !== client)) {
        it(`${client} → ${target}: the PDF reaches the model`, async () => {
          await answer[client](MODEL[target]);
          const filename = client === 'openai.responses' ? 'report.pdf' : undefined;
          expect(pdfSent(target, lastBody())).to.deep.equal([EXPECTED[target](filename)]);
        });
      }
    }
  });
});
