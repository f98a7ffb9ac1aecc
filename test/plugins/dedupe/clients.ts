// Conversations built the way each client builds them, from one protocol-neutral script: Claude
// Code (Anthropic tool_use / tool_result blocks), Codex (Responses function_call /
// function_call_output items), Gemini CLI (functionCall / functionResponse parts) and an OpenAI SDK
// agent (Chat tool_calls and tool messages). Shapes follow /work/shared/fixtures/client-requests.
import { parseProtocolName, type JsonObject, type JsonValue, type Protocol } from '../../../core/index.js';

export interface ScriptCall { name: string; args: JsonObject }
export interface ScriptResult { output: string; error?: boolean }
/** A model turn with tool calls (parallel when more than one) and their results, or the human speaking. */
export interface ToolStep { calls: ScriptCall[]; results: ScriptResult[]; say?: string }
export type ScriptStep = ToolStep | { user: string };
export interface Script { prompt: string; steps: ScriptStep[] }

export type ClientName = 'claude-code' | 'codex' | 'gemini-cli' | 'openai-chat';
export const CLIENTS: readonly ClientName[] = ['claude-code', 'codex', 'gemini-cli', 'openai-chat'];

export interface ClientRequest { protocol: Protocol; body: JsonObject }

export interface BuildOptions {
  /** Gemini only: leave ids out of functionCall / functionResponse (the Gemini API, other clients). */
  geminiIds?: boolean;
  /** Where a step's call ids come from; the default is unique per call. */
  callId?: (step: number, call: number) => string;
}

export function buildRequest(client: ClientName, script: Script, options: BuildOptions = {}): ClientRequest {
  switch (client) {
    case 'claude-code': return { protocol: parseProtocolName('anthropic.messages'), body: claudeCode(script, options) };
    case 'codex': return { protocol: parseProtocolName('openai.responses'), body: codex(script, options) };
    case 'gemini-cli': return { protocol: parseProtocolName('gemini.generate'), body: geminiCli(script, options) };
    case 'openai-chat': return { protocol: parseProtocolName('openai.chat'), body: openaiChat(script, options) };
  }
}

/** The requests a client sends during the script: one after each step's results. */
export function* requestsDuring(client: ClientName, script: Script, options: BuildOptions = {}): Generator<{ step: number; request: ClientRequest }> {
  for (let n = 1; n <= script.steps.length; n++) {
    if ('user' in script.steps[n - 1]!) continue; // the human's message goes out with the next request
    yield { step: n, request: buildRequest(client, { ...script, steps: script.steps.slice(0, n) }, options) };
  }
}

const defaultId = (prefix: string) => (step: number, call: number) => `${prefix}${(step * 16 + call).toString(36).padStart(6, '0')}`;

function claudeCode(script: Script, o: BuildOptions): JsonObject {
  const id = o.callId ?? defaultId('toolu_01A');
  const messages: JsonValue[] = [{
    role: 'user',
    content: [
      { type: 'text', text: '<system-reminder>\nAs you answer the user\'s questions, you can use the following context:\n# gitStatus\nmain, clean\n</system-reminder>' },
      { type: 'text', text: script.prompt },
    ],
  }];
  script.steps.forEach((step, s) => {
    if ('user' in step) { messages.push({ role: 'user', content: [{ type: 'text', text: step.user }] }); return; }
    const content: JsonValue[] = step.say ? [{ type: 'text', text: step.say }] : [];
    step.calls.forEach((c, i) => content.push({ type: 'tool_use', id: id(s, i), name: c.name, input: c.args }));
    messages.push({ role: 'assistant', content });
    const results: JsonValue[] = step.results.map((r, i) => ({ tool_use_id: id(s, i), type: 'tool_result', content: r.output, is_error: r.error === true, ...(i === step.results.length - 1 ? { cache_control: { type: 'ephemeral' } } : {}) }));
    // Claude Code puts reminders beside tool results now and then: the tools, not the human, speak there.
    if (s % 3 === 2) results.push({ type: 'text', text: '<system-reminder>\nThe TodoWrite tool hasn\'t been used recently.\n</system-reminder>' });
    messages.push({ role: 'user', content: results });
  });
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 32000,
    system: [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.330.c4b; cc_entrypoint=sdk-cli;' },
      { type: 'text', text: 'You are Claude Code, Anthropic\'s official CLI for Claude.', cache_control: { type: 'ephemeral' } },
    ],
    messages,
    tools: [{ name: 'Bash', description: 'Executes a bash command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
    metadata: { user_id: '{"device_id":"abc","account_uuid":"","session_id":"0bdc681a-a1c6-4c8a-bb84-5e8443fbe350"}' },
    stream: true,
  };
}

function codex(script: Script, o: BuildOptions): JsonObject {
  const id = o.callId ?? defaultId('call_');
  const input: JsonValue[] = [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions instructions>\nsandbox_mode is danger-full-access\n</permissions instructions>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>\n  <cwd>/home/dev/project</cwd>\n  <shell>bash</shell>\n</environment_context>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: script.prompt }] },
  ];
  script.steps.forEach((step, s) => {
    if ('user' in step) { input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: step.user }] }); return; }
    input.push({ type: 'reasoning', id: `rs_${s}`, summary: [], encrypted_content: 'gAAAAB' + 'x'.repeat(40) });
    if (step.say) input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: step.say }] });
    step.calls.forEach((c, i) => {
      if (c.name === 'apply_patch' && typeof c.args['input'] === 'string') {
        input.push({ type: 'custom_tool_call', status: 'completed', id: `ctc_${s}_${i}`, call_id: id(s, i), name: 'apply_patch', input: c.args['input'] });
      } else {
        input.push({ type: 'function_call', status: 'completed', id: `fc_${s}_${i}`, name: c.name, arguments: JSON.stringify(c.args), call_id: id(s, i) });
      }
    });
    step.results.forEach((r, i) => {
      const type = step.calls[i]!.name === 'apply_patch' && typeof step.calls[i]!.args['input'] === 'string' ? 'custom_tool_call_output' : 'function_call_output';
      input.push({ type, id: `fco_${s}_${i}`, call_id: id(s, i), output: r.output });
    });
  });
  return {
    model: 'gpt-5-codex',
    instructions: 'You are Codex, a coding agent based on GPT-5.',
    input,
    tools: [{ type: 'function', name: 'exec_command', description: 'Runs a command in a PTY', strict: false, parameters: { type: 'object', properties: { cmd: { type: 'string' } } } }],
    tool_choice: 'auto',
    parallel_tool_calls: true,
    reasoning: { effort: 'medium' },
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: '01a202a3-f324-7f42-af09-cc48d7b9cb67',
  };
}

function geminiCli(script: Script, o: BuildOptions): JsonObject {
  const withIds = o.geminiIds !== false;
  const id = o.callId ?? ((s: number, i: number) => `run_shell_command_${1795340633261 + s}_${i}`);
  const contents: JsonValue[] = [{
    role: 'user',
    parts: [
      { text: '<session_context>\nThis is the Gemini CLI. We are setting up the context for our chat.\n</session_context>' },
      { text: script.prompt },
    ],
  }];
  script.steps.forEach((step, s) => {
    if ('user' in step) { contents.push({ role: 'user', parts: [{ text: step.user }] }); return; }
    const parts: JsonValue[] = step.say ? [{ text: step.say }] : [];
    step.calls.forEach((c, i) => parts.push({
      functionCall: { ...(withIds ? { id: id(s, i) } : {}), name: c.name, args: c.args },
      ...(i === 0 ? { thoughtSignature: 'skip_thought_signature_validator' } : {}),
    }));
    contents.push({ role: 'model', parts });
    contents.push({
      role: 'user',
      parts: step.results.map((r, i) => ({
        functionResponse: { ...(withIds ? { id: id(s, i) } : {}), name: step.calls[i]!.name, response: geminiResponse(r) },
      })),
    });
  });
  return {
    contents,
    systemInstruction: { role: 'user', parts: [{ text: 'You are an interactive CLI agent.' }] },
    tools: [{ functionDeclarations: [{ name: 'run_shell_command', description: 'Runs a shell command', parametersJsonSchema: { type: 'object' } }] }],
    generationConfig: { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' } },
  };
}

/** Gemini CLI answers a failed call with {error}, anything else with {output}. */
function geminiResponse(r: ScriptResult): JsonObject {
  return r.error ? { error: r.output } : { output: r.output };
}

function openaiChat(script: Script, o: BuildOptions): JsonObject {
  const id = o.callId ?? defaultId('call_');
  const messages: JsonValue[] = [
    { role: 'system', content: 'You are a helpful agent. Use the tools.' },
    { role: 'user', content: script.prompt },
  ];
  script.steps.forEach((step, s) => {
    if ('user' in step) { messages.push({ role: 'user', content: step.user }); return; }
    messages.push({
      role: 'assistant',
      content: step.say ?? null,
      refusal: null,
      tool_calls: step.calls.map((c, i) => ({ id: id(s, i), type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })),
    });
    // The SDK has no error flag: a failed tool's text says so itself.
    step.results.forEach((r, i) => messages.push({ role: 'tool', tool_call_id: id(s, i), content: r.error && !/^error/i.test(r.output) ? `Error: ${r.output}` : r.output }));
  });
  return {
    model: 'gpt-4o-mini',
    messages,
    tools: [{ type: 'function', function: { name: 'run', description: 'Runs a command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } } }],
  };
}

// ---- tool outputs the way each client formats them ----------------------------------------------

let chunkSeed = 0x269789;
/** Codex CLI exec_command output: a fresh chunk id and wall time on every call. */
export function codexExec(output: string, exitCode = 0, wallTime = 0.0123 + (chunkSeed % 97) / 1000): string {
  chunkSeed = (chunkSeed * 1103515245 + 12345) & 0xffffff;
  const tokens = Math.max(1, Math.ceil(output.length / 4));
  return `Chunk ID: ${chunkSeed.toString(16).padStart(6, '0')}\nWall time: ${wallTime.toFixed(4)} seconds\nProcess exited with code ${exitCode}\nOriginal token count: ${tokens}\nOutput:\n${output}`;
}

let pgidSeed = 4596;
/** Gemini CLI run_shell_command output (current form): only the fields that have a value, a new PGID each time. */
export function geminiShell(output: string, exitCode = 0): string {
  pgidSeed += 17;
  return `<untrusted_context>\nOutput: ${output}${exitCode ? `\nExit Code: ${exitCode}` : ''}\nProcess Group PGID: ${pgidSeed}\n</untrusted_context>`;
}

/** Gemini CLI's older, full form. */
export function geminiShellFull(command: string, output: string, exitCode = 0): string {
  pgidSeed += 23;
  return [`Command: ${command}`, 'Directory: (root)', `Output: ${output}`, 'Error: (none)', `Exit Code: ${exitCode}`, 'Signal: (none)', `Background PIDs: ${pgidSeed + 1}`, `Process Group PGID: ${pgidSeed}`].join('\n');
}

/** The shell tool and its argument for each client. */
export function shellCall(client: ClientName, command: string): ScriptCall {
  switch (client) {
    case 'claude-code': return { name: 'Bash', args: { command, description: 'Run the command' } };
    case 'codex': return { name: 'exec_command', args: { cmd: command, yield_time_ms: 10000 } };
    case 'gemini-cli': return { name: 'run_shell_command', args: { command } };
    case 'openai-chat': return { name: 'run', args: { cmd: command } };
  }
}

/** A successful shell result as the client formats it, volatile parts fresh each time. */
export function shellOutput(client: ClientName, output: string, exitCode = 0): ScriptResult {
  switch (client) {
    case 'claude-code': return exitCode ? { output: `Exit code ${exitCode}\n${output}`, error: true } : { output };
    case 'codex': return { output: codexExec(output, exitCode) };
    case 'gemini-cli': return { output: geminiShell(output, exitCode) };
    case 'openai-chat': return { output: exitCode ? `Error: exit ${exitCode}\n${output}` : output };
  }
}

/** A JSON response in which the model asks for `calls` (what inspect_response reads). */
export function responseWithCalls(client: ClientName, calls: readonly ScriptCall[]): ClientRequest {
  switch (client) {
    case 'claude-code': return {
      protocol: parseProtocolName('anthropic.messages'),
      body: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', stop_reason: 'tool_use', content: calls.map((c, i) => ({ type: 'tool_use', id: `toolu_new${i}`, name: c.name, input: c.args })) },
    };
    case 'codex': return {
      protocol: parseProtocolName('openai.responses'),
      body: { id: 'resp_1', object: 'response', status: 'completed', output: calls.map((c, i) => ({ type: 'function_call', id: `fc_new${i}`, call_id: `call_new${i}`, name: c.name, arguments: JSON.stringify(c.args) })) },
    };
    case 'gemini-cli': return {
      protocol: parseProtocolName('gemini.generate'),
      body: { candidates: [{ index: 0, finishReason: 'STOP', content: { role: 'model', parts: calls.map((c) => ({ functionCall: { name: c.name, args: c.args } })) } }] },
    };
    case 'openai-chat': return {
      protocol: parseProtocolName('openai.chat'),
      body: { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: calls.map((c, i) => ({ id: `call_new${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })) } }] },
    };
  }
}
