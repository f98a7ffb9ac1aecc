#!/usr/bin/env node
// Small helpers for run.sh (kept in JS so quoting stays sane).
//
//   node helpers.mjs prompt CLIENT WORKDIR [TASK] → the shell task prompt for CLIENT (two-step|think|parallel)
//   node helpers.mjs final CLIENT FILE          → the client's final answer, extracted from FILE
//   node helpers.mjs free-port                  → a free TCP port on 127.0.0.1
//   node helpers.mjs summary GATEWAY_LOG        → one line per request from a Sluice JSON log
//   node helpers.mjs check-streams BODY_DIR     → protocol-invariant problems in recorded SSE bodies
import fs from 'node:fs';
import net from 'node:net';

/** Each client's shell tool: its name and how the command goes into the arguments. */
export const SHELL_TOOLS = {
  claude: { name: 'Bash', args: (cmd, what) => ({ command: cmd, description: what }) },
  codex: { name: 'exec_command', args: (cmd) => ({ cmd }) },
  gemini: { name: 'run_shell_command', args: (cmd, what) => ({ command: cmd, description: what }) },
};

export const STEP_TWO_TOKEN = 'sluice-two-ok';

/**
 * `Run [[tool:NAME {args}]]` where the first command writes step1.txt and prints a second marker,
 * which makes loopback call the tool again (step2.txt, then prints STEP_TWO_TOKEN). The second
 * marker is printed with printf '%s%s' '…}' ']]' so that the prompt itself never contains the
 * inner `}]]` (loopback's marker regex ends at the first `}]]`); only the command's output does.
 *
 * Tasks: `two-step` (the above); `think` (the same with `[[think]]` in the prompt and in the first
 * command's output, so every model turn carries signed reasoning that the client must send back
 * intact); `parallel` (`[[parallel]]` and both commands as two tool calls in one model turn).
 */
export function prompt(client, workdir, task = 'two-step') {
  const tool = SHELL_TOOLS[client];
  if (!tool) throw new Error(`unknown client ${client}`);
  const step2 = `echo step-two > ${workdir}/step2.txt && echo ${STEP_TWO_TOKEN}`;
  if (task === 'parallel') {
    const one = `[[tool:${tool.name} ${JSON.stringify(tool.args(`echo step-one > ${workdir}/step1.txt && echo sluice-one-ok`, 'step one'))}]]`;
    const two = `[[tool:${tool.name} ${JSON.stringify(tool.args(step2, 'step two'))}]]`;
    return `[[parallel]] Run both: ${one} ${two}`;
  }
  const think = task === 'think' ? '[[think]] ' : '';
  if (task !== 'two-step' && task !== 'think') throw new Error(`unknown task ${task}`);
  const inner = `${think}[[tool:${tool.name} ${JSON.stringify(tool.args(step2, 'step two'))}`;
  if (inner.includes("'")) throw new Error('inner marker must not contain a single quote');
  const step1 = `echo step-one > ${workdir}/step1.txt && printf '%s%s' '${inner}' ']]'`;
  const outer = `[[tool:${tool.name} ${JSON.stringify(tool.args(step1, 'step one'))}]]`;
  return `${think}Run ${outer}`;
}

export function finalAnswer(client, file) {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return ''; }
  if (client === 'codex') return text.trim(); // -o/--output-last-message writes the text itself
  // claude --output-format json → {"type":"result","result":…}; gemini -o json → {"response":…}
  const start = text.indexOf('{');
  for (const candidate of [text.slice(start), ...text.split('\n').reverse()]) {
    try {
      const j = JSON.parse(candidate);
      if (client === 'claude' && typeof j.result === 'string') return j.result;
      if (client === 'gemini' && typeof j.response === 'string') return j.response;
    } catch { /* keep looking */ }
  }
  return '';
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function summary(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const out = [];
  for (const l of lines) {
    let j; try { j = JSON.parse(l); } catch { out.push(`  (non-JSON) ${l.slice(0, 300)}`); continue; }
    if (j.msg !== 'request') { if (j.level === 'error' || j.level === 'warn') out.push(`  ${j.level}: ${j.msg} ${JSON.stringify(j).slice(0, 400)}`); continue; }
    out.push(`  ${j.endpoint} model=${j.model} → ${j.provider}/${j.served_model} stream=${j.stream} ${j.status} ${j.outcome}${j.error ? ' ' + j.error : ''}${j.message ? ' ' + JSON.stringify(j.message).slice(0, 300) : ''}`);
  }
  return out.join('\n');
}

/**
 * Protocol invariants of every recorded SSE response in BODY_DIR (what the client saw):
 * Anthropic — message_start first with real input_tokens, content blocks strictly sequential and
 * balanced, tool input_json_delta concatenating to JSON, one message_delta, message_stop last;
 * Responses — sequence_number 0,1,2…, exactly one terminal event and it is last, usage on it,
 * function-call arguments JSON; Gemini — every chunk JSON with candidates, finishReason and
 * usageMetadata on the last one, functionCall args objects. Prints one line per problem.
 */
export function checkStreams(dir) {
  const problems = [];
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.res.txt')).sort() : [];
  for (const f of files) {
    const text = fs.readFileSync(`${dir}/${f}`, 'utf8');
    if (!/^(event|data):/m.test(text)) continue;
    const events = [];
    for (const block of text.split(/\r?\n\r?\n/)) {
      let name; const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (!data.length) continue;
      const raw = data.join('\n');
      if (raw === '[DONE]') { events.push({ name: '[DONE]' }); continue; }
      let json; try { json = JSON.parse(raw); } catch { problems.push(`${f}: data is not JSON: ${raw.slice(0, 120)}`); continue; }
      events.push({ name: name ?? json.type, json });
    }
    const bad = (m) => problems.push(`${f}: ${m}`);
    const names = events.map((e) => e.name);
    if (names[0] === 'message_start') { // Anthropic Messages
      const u = events[0].json.message?.usage;
      if (!(u?.input_tokens > 0)) bad(`message_start usage.input_tokens=${u?.input_tokens}`);
      let open = -1, next = 0, json = '', kind;
      for (const e of events) {
        const j = e.json ?? {};
        if (e.name === 'content_block_start') {
          if (open !== -1) bad(`block ${j.index} starts while ${open} is open`);
          if (j.index !== next) bad(`block index ${j.index}, expected ${next}`);
          open = j.index; next++; json = ''; kind = j.content_block?.type;
        } else if (e.name === 'content_block_delta') {
          if (j.index !== open) bad(`delta for block ${j.index} while ${open} is open`);
          if (j.delta?.type === 'input_json_delta') json += j.delta.partial_json;
        } else if (e.name === 'content_block_stop') {
          if (j.index !== open) bad(`stop for block ${j.index} while ${open} is open`);
          if (kind === 'tool_use') { try { JSON.parse(json || '{}'); } catch { bad(`tool_use input_json does not parse: ${json.slice(0, 120)}`); } }
          open = -1;
        }
      }
      if (open !== -1) bad(`block ${open} never stopped`);
      const md = names.filter((n) => n === 'message_delta').length;
      if (md !== 1) bad(`${md} message_delta events`);
      if (names.at(-1) !== 'message_stop') bad(`last event ${names.at(-1)}, not message_stop`);
      if (names.includes('error')) bad('error event in stream');
    } else if (names[0]?.startsWith('response.')) { // OpenAI Responses
      events.forEach((e, i) => { if (e.json?.sequence_number !== i) bad(`event ${i} (${e.name}) sequence_number=${e.json?.sequence_number}`); });
      const terminal = names.filter((n) => /^response\.(completed|failed|incomplete)$/.test(n));
      if (terminal.length !== 1) bad(`${terminal.length} terminal events`);
      if (!/^response\.(completed|failed|incomplete)$/.test(names.at(-1))) bad(`last event ${names.at(-1)}`);
      const last = events.at(-1)?.json?.response;
      if (!last?.usage) bad('no usage on the terminal event');
      for (const e of events) if (e.name === 'response.function_call_arguments.done') { try { JSON.parse(e.json.arguments); } catch { bad(`function_call arguments do not parse: ${String(e.json.arguments).slice(0, 120)}`); } }
    } else if (events[0]?.json?.candidates || events[0]?.json?.usageMetadata) { // Gemini
      events.forEach((e, i) => { if (!e.json?.candidates && i < events.length - 1) bad(`chunk ${i} has no candidates`); });
      const last = events.at(-1)?.json;
      if (!last?.candidates?.[0]?.finishReason) bad('last chunk has no finishReason');
      if (!last?.usageMetadata) bad('last chunk has no usageMetadata');
      for (const e of events) for (const c of e.json?.candidates ?? []) for (const p of c.content?.parts ?? []) {
        if (p.functionCall && (typeof p.functionCall.args !== 'object' || p.functionCall.args === null)) bad(`functionCall args not an object`);
      }
    } else if (events[0]?.json?.object === 'chat.completion.chunk') { // OpenAI Chat
      if (names.at(-1) !== '[DONE]') bad('no [DONE]');
    }
  }
  return problems;
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'prompt') process.stdout.write(prompt(args[0], args[1], args[2]));
else if (cmd === 'final') process.stdout.write(finalAnswer(args[0], args[1]));
else if (cmd === 'free-port') freePort().then((p) => process.stdout.write(String(p)));
else if (cmd === 'summary') process.stdout.write(summary(args[0]) + '\n');
else if (cmd === 'check-streams') { const problems = checkStreams(args[0]); process.stdout.write(problems.length ? problems.join('\n') + '\n' : ''); }
else if (cmd) { console.error(`unknown command ${cmd}`); process.exit(2); }

