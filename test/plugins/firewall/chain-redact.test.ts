// Redaction and policy on the request side, with sluice/testing's runPlugin (the scripted upstream
// records what the provider would have seen): every segment of every protocol, stable numbering
// across turns, one placeholder per value, repeats the detectors missed, and the per-entity policy.
import { expect } from 'chai';
import { runPlugin, type RunResult } from '../../../core/testing/index.js';
import firewall from '../../../plugins/firewall/index.js';
import type { JsonObject } from '../../../core/index.js';

const EMAIL = 'ann.lee@corp-mail.io';
const OTHER = 'bob.stone@corp-mail.io';
const AWS_KEY = 'AKIAZ3MJQX7TNVB4KWPQ';
const TOKEN = 'ghp_8kQ2vR7nX4mZ1pL9sT3wY6bD0fH5jC2gA8eU';
const VALUES = [EMAIL, OTHER, AWS_KEY, TOKEN];

const chatAnswer = { json: { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } };

async function run(path: string, body: JsonObject, options: unknown = { mode: 'redact' }, upstream: Parameters<typeof runPlugin>[1]['upstream'] = chatAnswer): Promise<RunResult> {
  return runPlugin(firewall, { path, body: structuredClone(body), options, upstream });
}

/** What the upstream got, as text (the request the provider would see). */
function sent(r: RunResult): string {
  expect(r.upstreamRequests, `upstream called (status ${r.status}: ${JSON.stringify(r.json)})`).to.have.length(1);
  return JSON.stringify(r.upstreamRequests[0]!.body);
}

function expectNoValue(text: string): void {
  for (const v of VALUES) expect(text, `leaked ${v}`).not.to.contain(v);
}

describe('firewall redaction (request side)', () => {
  it('Chat: system, user parts, assistant tool-call arguments, tool results — one placeholder per value', async () => {
    const r = await run('/v1/chat/completions', {
      model: 'm',
      messages: [
        { role: 'system', content: `deploy with ${TOKEN}` },
        { role: 'user', content: [{ type: 'text', text: `I am ${EMAIL}` }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send', arguments: JSON.stringify({ to: EMAIL, cc: [OTHER], key: AWS_KEY }) } }] },
        { role: 'tool', tool_call_id: 'call_1', content: `sent to ${EMAIL} and ${OTHER}` },
      ],
    });
    const body = r.upstreamRequests[0]!.body as { messages: JsonObject[] };
    expectNoValue(sent(r));
    expect(body.messages[0]!['content']).to.equal('deploy with [GITHUB_TOKEN_1]');
    expect(body.messages[1]!['content']).to.deep.equal([{ type: 'text', text: 'I am [EMAIL_ADDRESS_1]' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }]);
    const args = JSON.parse(((body.messages[2]!['tool_calls'] as JsonObject[])[0]!['function'] as JsonObject)['arguments'] as string);
    expect(args).to.deep.equal({ to: '[EMAIL_ADDRESS_1]', cc: ['[EMAIL_ADDRESS_2]'], key: '[AWS_ACCESS_KEY_ID_1]' });
    expect(body.messages[3]!['content']).to.equal('sent to [EMAIL_ADDRESS_1] and [EMAIL_ADDRESS_2]');
    expect((body.messages[2]!['tool_calls'] as JsonObject[])[0]!['id']).to.equal('call_1');
    const findings = r.exchange.findings.map((f) => [f.type, f.count, f.action, f.locations]);
    expect(findings).to.deep.equal([
      ['GITHUB_TOKEN', 1, 'redacted', ['messages[0].content']],
      ['EMAIL_ADDRESS', 5, 'redacted', ['messages[1].content[0].text', 'messages[2].tool_calls[0].function.arguments', 'messages[3].content']],
      ['AWS_ACCESS_KEY_ID', 1, 'redacted', ['messages[2].tool_calls[0].function.arguments']],
    ]);
    expect(r.exchange.responseHeaders['x-sluice-firewall']).to.equal('GITHUB_TOKEN=1,EMAIL_ADDRESS=5,AWS_ACCESS_KEY_ID=1');
  });

  it('Responses: instructions, input items, function_call arguments and outputs, reasoning summaries', async () => {
    const r = await run('/v1/responses', {
      model: 'm', instructions: `key ${AWS_KEY}`,
      input: [
        { role: 'user', content: [{ type: 'input_text', text: `mail ${EMAIL}` }] },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: `user is ${EMAIL}` }], encrypted_content: `enc-${AWS_KEY}` },
        { type: 'function_call', call_id: 'call_1', name: 'send', arguments: JSON.stringify({ to: OTHER }) },
        { type: 'function_call_output', call_id: 'call_1', output: `delivered to ${OTHER}` },
      ],
    }, { mode: 'redact' }, { json: {} });
    const text = sent(r);
    expect(text).to.contain('"instructions":"key [AWS_ACCESS_KEY_ID_1]"').and.contain('mail [EMAIL_ADDRESS_1]').and.contain('user is [EMAIL_ADDRESS_1]')
      .and.contain('delivered to [EMAIL_ADDRESS_2]').and.contain(JSON.stringify(JSON.stringify({ to: '[EMAIL_ADDRESS_2]' })));
    // Signatures and encrypted reasoning are not text: kept byte for byte.
    expect(text).to.contain(`"encrypted_content":"enc-${AWS_KEY}"`);
  });

  it('Anthropic: system blocks, text, thinking, tool_use.input objects, tool_result strings and blocks', async () => {
    const r = await run('/v1/messages', {
      model: 'm', max_tokens: 10, system: [{ type: 'text', text: `token ${TOKEN}` }],
      messages: [
        { role: 'user', content: `I am ${EMAIL}` },
        { role: 'assistant', content: [
          { type: 'thinking', thinking: `the user is ${EMAIL}`, signature: `sig-${AWS_KEY}` },
          { type: 'tool_use', id: 'toolu_1', name: 'send', input: { to: EMAIL, nested: { list: [OTHER] } } },
        ] },
        { role: 'user', content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: `ok ${OTHER}` },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: `key ${AWS_KEY}` }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
        ] },
      ],
    }, { mode: 'redact' }, { json: {} });
    const body = r.upstreamRequests[0]!.body as { messages: JsonObject[] };
    const text = sent(r);
    expect(text).not.to.contain(EMAIL).and.not.to.contain(OTHER).and.not.to.contain(TOKEN);
    expect(text).to.contain(`"signature":"sig-${AWS_KEY}"`); // a signature is not text
    const blocks = body.messages[1]!['content'] as JsonObject[];
    expect(blocks[0]!['thinking']).to.equal('the user is [EMAIL_ADDRESS_1]');
    expect(blocks[1]!['input']).to.deep.equal({ to: '[EMAIL_ADDRESS_1]', nested: { list: ['[EMAIL_ADDRESS_2]'] } });
    expect(text).to.contain('key [AWS_ACCESS_KEY_ID_1]').and.contain('ok [EMAIL_ADDRESS_2]');
  });

  it('Gemini: systemInstruction, parts, functionCall args, functionResponse objects', async () => {
    const r = await run('/v1beta/models/gemini-x:generateContent', {
      systemInstruction: { parts: [{ text: `token ${TOKEN}` }] },
      contents: [
        { role: 'user', parts: [{ text: `I am ${EMAIL}` }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'send', args: { to: EMAIL } }, thoughtSignature: `sig-${AWS_KEY}` }] },
        { role: 'user', parts: [{ functionResponse: { name: 'send', response: { output: { delivered: [OTHER] } } } }] },
      ],
    }, { mode: 'redact' }, { json: {} });
    const text = sent(r);
    expect(text).not.to.contain(EMAIL).and.not.to.contain(OTHER).and.not.to.contain(TOKEN);
    expect(text).to.contain('"args":{"to":"[EMAIL_ADDRESS_1]"}').and.contain('"delivered":["[EMAIL_ADDRESS_2]"]').and.contain(`"thoughtSignature":"sig-${AWS_KEY}"`);
  });

  it('Gemini in snake_case (the API takes both spellings): system_instruction, function_call args, function_response, count_tokens', async () => {
    const r = await run('/v1beta/models/gemini-x:generateContent', {
      system_instruction: { parts: [{ text: `token ${TOKEN}` }] },
      contents: [
        { role: 'user', parts: [{ text: 'send it' }] },
        { role: 'model', parts: [{ function_call: { name: 'send', args: { to: EMAIL } } }] },
        { role: 'user', parts: [{ function_response: { name: 'send', response: { output: `delivered to ${OTHER}` } } }] },
      ],
    }, { mode: 'redact' }, { json: {} });
    const text = sent(r);
    expectNoValue(text);
    expect(text).to.contain('"function_call":{"name":"send","args":{"to":"[EMAIL_ADDRESS_1]"}}')
      .and.contain('"function_response":{"name":"send","response":{"output":"delivered to [EMAIL_ADDRESS_2]"}}');
    expect(r.exchange.findings.find((f) => f.type === 'EMAIL_ADDRESS')?.locations).to.deep.equal([
      'contents[1].parts[0].function_call.args', 'contents[2].parts[0].function_response.response',
    ]);
    const counted = await run('/v1beta/models/gemini-x:countTokens', {
      generate_content_request: { model: 'models/gemini-x', contents: [{ role: 'user', parts: [{ function_response: { name: 'f', response: { output: EMAIL } } }] }] },
    }, { mode: 'enforce' }, { json: {} });
    expect(counted.status).to.equal(400);
    expect(counted.upstreamRequests).to.have.length(0);
  });

  it('Responses hosted tool items: shell and local shell calls and outputs, patches, MCP calls, code, web search', async () => {
    const r = await run('/v1/responses', {
      model: 'm',
      input: [
        { role: 'user', content: 'go' },
        { type: 'local_shell_call', id: 'lsh_1', call_id: 'c1', status: 'completed', action: { type: 'exec', command: ['git', 'push', `https://x:${TOKEN}@github.com/o/r`], env: {} } },
        { type: 'local_shell_call_output', id: 'lsho_1', call_id: 'c1', output: `pushed as ${EMAIL}` },
        { type: 'shell_call', call_id: 'c2', status: 'completed', action: { commands: [`echo ${AWS_KEY}`] } },
        { type: 'shell_call_output', call_id: 'c2', output: [{ stdout: AWS_KEY, stderr: '', outcome: { type: 'exit', exit_code: 0 } }] },
        { type: 'apply_patch_call', call_id: 'c3', status: 'completed', operation: { type: 'update_file', path: 'a.txt', diff: `+owner: ${OTHER}` } },
        { type: 'apply_patch_call_output', call_id: 'c3', output: `updated for ${OTHER}` },
        { type: 'mcp_call', id: 'mcp_1', server_label: 'mail', name: 'send', arguments: JSON.stringify({ to: EMAIL }), output: `sent to ${EMAIL}` },
        { type: 'code_interpreter_call', id: 'ci_1', container_id: 'cntr_1', status: 'completed', code: `print("${OTHER}")`, outputs: [{ type: 'logs', logs: OTHER }] },
        { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: `who is ${EMAIL}` } },
      ],
    });
    const text = sent(r);
    expectNoValue(text);
    expect(text).to.contain('"command":["git","push",').and.contain('"call_id":"c1"').and.contain('"container_id":"cntr_1"').and.contain('"outcome":{"type":"exit","exit_code":0}');
    expect(JSON.parse(((r.upstreamRequests[0]!.body as { input: JsonObject[] }).input[7]!)['arguments'] as string)).to.deep.equal({ to: '[EMAIL_ADDRESS_1]' });
  });

  it('entries whose type names an Object property (constructor, __proto__, toString) are left alone, not a crash', async () => {
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const r = await run('/v1/messages', { model: 'c', max_tokens: 8, messages: [{ role: 'user', content: [{ type }, { type: 'text', text: `hi ${EMAIL}` }] }] });
      expect(r.status, type).to.equal(200);
      expectNoValue(sent(r));
    }
  });

  it('Anthropic server tool and MCP blocks: server_tool_use, mcp_tool_use, mcp_tool_result, code execution results', async () => {
    const r = await run('/v1/messages', {
      model: 'c', max_tokens: 64,
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant', content: [
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: `who is ${EMAIL}` } },
            { type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'send', server_name: 'mail', input: { to: OTHER } },
            { type: 'mcp_tool_result', tool_use_id: 'mcptoolu_1', is_error: false, content: [{ type: 'text', text: `sent with ${AWS_KEY}` }] },
            { type: 'code_execution_tool_result', tool_use_id: 'srvtoolu_2', content: { type: 'code_execution_result', stdout: TOKEN, stderr: '', return_code: 0, content: [] } },
          ],
        },
        { role: 'user', content: 'thanks' },
      ],
    });
    const text = sent(r);
    expectNoValue(text);
    expect(text).to.contain('"tool_use_id":"mcptoolu_1"').and.contain('"type":"code_execution_result"');
  });

  it('Anthropic text blocks sent back with citations: the quoted cited_text and document_title', async () => {
    const r = await run('/v1/messages', {
      model: 'c', max_tokens: 64,
      messages: [
        { role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: `contact: ${EMAIL}` }, title: 'Staff', citations: { enabled: true } }, { type: 'text', text: 'who is the contact?' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'The contact is listed.', citations: [{ type: 'char_location', cited_text: `contact: ${EMAIL}`, document_index: 0, document_title: `Staff of ${OTHER}`, start_char_index: 0, end_char_index: 30 }] }] },
        { role: 'user', content: 'thanks' },
      ],
    });
    const text = sent(r);
    expectNoValue(text);
    expect(text).to.contain('"cited_text":"contact: [EMAIL_ADDRESS_1]"').and.contain('"data":"contact: [EMAIL_ADDRESS_1]"').and.contain('"start_char_index":0');
  });

  it('Gemini code execution parts: executableCode and codeExecutionResult', async () => {
    const r = await run('/v1beta/models/gemini-x:generateContent', {
      contents: [
        { role: 'user', parts: [{ text: 'run it' }] },
        { role: 'model', parts: [{ executableCode: { language: 'PYTHON', code: `print("${EMAIL}")` } }, { codeExecutionResult: { outcome: 'OUTCOME_OK', output: AWS_KEY } }] },
        { role: 'model', parts: [{ executable_code: { language: 'PYTHON', code: `send("${OTHER}")` } }, { code_execution_result: { outcome: 'OUTCOME_OK', output: TOKEN } }] },
        { role: 'user', parts: [{ text: 'ok' }] },
      ],
    }, { mode: 'redact' }, { json: {} });
    const text = sent(r);
    expectNoValue(text);
    expect(text).to.contain('"language":"PYTHON"').and.contain('"outcome":"OUTCOME_OK"');
  });

  it('Gemini embeddings: the document title is scanned with the content, single and batch', async () => {
    const embedAnswer = { json: { embedding: { values: [0.1] } } };
    const one = await run('/v1beta/models/text-embedding:embedContent', {
      content: { parts: [{ text: 'quarterly report' }] }, taskType: 'RETRIEVAL_DOCUMENT', title: `Notes for ${EMAIL}`,
    }, { mode: 'redact' }, embedAnswer);
    expectNoValue(sent(one));
    expect((one.upstreamRequests[0]!.body as JsonObject)['title']).to.equal('Notes for [EMAIL_ADDRESS_1]');
    const batch = await run('/v1beta/models/text-embedding:batchEmbedContents', {
      requests: [{ model: 'models/text-embedding', content: { parts: [{ text: 'a' }] }, taskType: 'RETRIEVAL_DOCUMENT', title: `key ${AWS_KEY}` }],
    }, { mode: 'enforce' }, { json: { embeddings: [{ values: [0.1] }] } });
    expect(batch.status).to.equal(400);
    expect(batch.upstreamRequests).to.have.length(0);
  });

  it('numbers stay the same on every turn of a growing conversation', async () => {
    const history: JsonObject[] = [{ role: 'user', content: `I am ${EMAIL}` }];
    const seen: string[] = [];
    const turn = async () => {
      const r = await run('/v1/chat/completions', { model: 'm', messages: history });
      seen.push(sent(r));
    };
    await turn();
    history.push({ role: 'assistant', content: `Hello ${EMAIL}` }, { role: 'user', content: `forward to ${OTHER}, cc ${EMAIL}` });
    await turn();
    history.push({ role: 'assistant', content: 'done' }, { role: 'user', content: `and key ${AWS_KEY} for ${OTHER}` });
    await turn();
    expect(seen[0]).to.contain('I am [EMAIL_ADDRESS_1]');
    expect(seen[1]).to.contain('I am [EMAIL_ADDRESS_1]').and.contain('Hello [EMAIL_ADDRESS_1]').and.contain('forward to [EMAIL_ADDRESS_2], cc [EMAIL_ADDRESS_1]');
    expect(seen[2]).to.contain('forward to [EMAIL_ADDRESS_2], cc [EMAIL_ADDRESS_1]').and.contain('and key [AWS_ACCESS_KEY_ID_1] for [EMAIL_ADDRESS_2]');
    // Each request's text up to the newest turn is what the previous request sent: the provider's
    // prompt cache keeps working, and signed reasoning that quotes a placeholder stays valid.
    const messages = (s: string) => (JSON.parse(s) as { messages: unknown[] }).messages;
    expect(messages(seen[2]!).slice(0, 3)).to.deep.equal(messages(seen[1]!));
  });

  it('a value found once is replaced where the detectors missed it, never inside a longer word', async () => {
    const options = { mode: 'redact', custom: [{ name: 'project', type: 'PROJECT_CODE', pattern: '\\bPX[0-9]{4}\\b', keywords: ['project'] }] };
    const far = 'x'.repeat(150);
    const r = await run('/v1/chat/completions', { model: 'm', messages: [
      { role: 'user', content: `${far} PX1234 is the code ${far}` }, // no keyword near: not found by itself
      { role: 'user', content: 'the project PX1234' },
      { role: 'user', content: 'unrelated: APX1234 and PX12345 and PX1234.' },
    ] }, options);
    const body = r.upstreamRequests[0]!.body as { messages: { content: string }[] };
    expect(body.messages[0]!.content).to.equal(`${far} [PROJECT_CODE_1] is the code ${far}`);
    expect(body.messages[1]!.content).to.equal('the project [PROJECT_CODE_1]');
    expect(body.messages[2]!.content).to.equal('unrelated: APX1234 and PX12345 and [PROJECT_CODE_1].');
  });

  it('policy: per-entity actions override the mode; monitor never changes anything', async () => {
    const body = { model: 'm', messages: [{ role: 'user', content: `mail ${EMAIL} key ${AWS_KEY}` }] };
    const allowed = await run('/v1/chat/completions', body, { mode: 'enforce', entities: { EMAIL_ADDRESS: { action: 'allow' }, AWS_ACCESS_KEY_ID: { action: 'redact' } } });
    expect(sent(allowed)).to.contain(`mail ${EMAIL} key [AWS_ACCESS_KEY_ID_1]`);
    expect(allowed.exchange.findings.map((f) => `${f.type}:${f.action}`)).to.deep.equal(['EMAIL_ADDRESS:allowed', 'AWS_ACCESS_KEY_ID:redacted']);

    const blocked = await run('/v1/chat/completions', body, { mode: 'redact', entities: { AWS_ACCESS_KEY_ID: { action: 'block' } } });
    expect(blocked.status).to.equal(400);
    expect(blocked.upstreamRequests).to.have.length(0);
    expect(blocked.json).to.deep.equal({ error: { message: 'request blocked by the prompt firewall: found AWS_ACCESS_KEY_ID', type: 'invalid_request_error', param: 'messages[0].content', code: 'SLUICE_E_FIREWALL_BLOCKED' } });
    expect(blocked.completion.outcome).to.equal('blocked');
    expect(blocked.exchange.findings.map((f) => `${f.type}:${f.action}`)).to.deep.equal(['EMAIL_ADDRESS:recorded', 'AWS_ACCESS_KEY_ID:blocked']);

    const monitored = await run('/v1/chat/completions', body, { mode: 'monitor', entities: { AWS_ACCESS_KEY_ID: { action: 'block' }, EMAIL_ADDRESS: { action: 'redact' } } });
    expect(monitored.status).to.equal(200);
    expect(sent(monitored)).to.contain(`mail ${EMAIL} key ${AWS_KEY}`);
    expect(monitored.upstreamRequests[0]!.bytes, 'the client\'s bytes go upstream').to.be.instanceOf(Buffer);

    const disabled = await run('/v1/chat/completions', body, { mode: 'enforce', entities: { EMAIL_ADDRESS: false, AWS_ACCESS_KEY_ID: { enabled: false } } });
    expect(disabled.status).to.equal(200);
    expect(disabled.exchange.findings).to.deep.equal([]);
  });

  it('a request without findings goes upstream as the client\'s bytes, in every mode', async () => {
    for (const mode of ['monitor', 'enforce', 'redact']) {
      const r = await run('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'nothing to see here' }] }, { mode });
      expect(r.upstreamRequests[0]!.bytes, mode).to.be.instanceOf(Buffer);
      expect(r.exchange.findings).to.deep.equal([]);
      expect(r.exchange.responseHeaders).to.deep.equal({});
    }
  });

  it('a placeholder the user typed is not given to a value: the answer echoing it is not "restored" to that value', async () => {
    const typed = 'Fill [EMAIL_ADDRESS_1] and [AWS_ACCESS_KEY_ID_1] in the template';
    const answer = (content: string) => ({ json: { ...chatAnswer.json, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] } });
    const body = { model: 'm', messages: [{ role: 'user', content: `${typed}; mine is ${EMAIL}, key ${AWS_KEY}` }] };
    const r = await run('/v1/chat/completions', body, { mode: 'redact' }, answer('[EMAIL_ADDRESS_1] is the slot; yours: [EMAIL_ADDRESS_2], [AWS_ACCESS_KEY_ID_2]'));
    const seen = (r.upstreamRequests[0]!.body as { messages: JsonObject[] }).messages[0]!['content'];
    expect(seen).to.equal(`${typed}; mine is [EMAIL_ADDRESS_2], key [AWS_ACCESS_KEY_ID_2]`);
    const content = ((r.json as { choices: JsonObject[] }).choices[0]!['message'] as JsonObject)['content'];
    expect(content).to.equal(`[EMAIL_ADDRESS_1] is the slot; yours: ${EMAIL}, ${AWS_KEY}`);
  });

  it('the header can be turned off', async () => {
    const r = await run('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: `mail ${EMAIL}` }] }, { mode: 'monitor', header: false });
    expect(r.exchange.responseHeaders).to.deep.equal({});
    expect(r.exchange.findings).to.have.length(1);
  });
});
