#!/usr/bin/env node
// Small helpers for run.sh (kept in JS so quoting stays sane).
//
//   node helpers.mjs prompt CLIENT WORKDIR [TASK] → the shell task prompt for CLIENT (two-step|think|parallel|secret|loop|read-files)
//   node helpers.mjs setup CLIENT WORKDIR TASK  → files the task reads (read-files), written into WORKDIR
//   node helpers.mjs secrets                    → the fake secrets of TASK=secret, one per line
//   node helpers.mjs leaks FILE|DIR ...         → every place a secret of TASK=secret occurs (file: type)
//   node helpers.mjs count-placeholders DIR     → placeholders ([TYPE_N]) in recorded bodies, by type
//   node helpers.mjs fixture CLIENT BODY_DIR NAME TASK → the session's generation requests, trimmed, as a replay fixture
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
 * TASK=secret: fake values the firewall detects. The prompt carries the AWS key and the address
 * (the key also inside the scripted command, so restore must put it back into the streamed tool
 * arguments for the command to write it); the GitHub token appears only in the command's output
 * (printf builds it from two halves the detectors do not match), so only the tool result carries it.
 */
export const SECRETS = {
  awsKey: 'AKIAQ3V7XT2MZP4LK6RW',
  email: 'jane.roe@acme-corp.io',
  githubToken: 'ghp_Q3v8xT2mZp4Lk9Rw7Yb1Nc6Hd0Fs5Gj2Ue8a',
};

/** TASK=loop: the command loopback asks for forever; each run appends a line to loop.log. */
export const LOOP_TOKEN = 'sluice-loop-tick';
/** TASK=read-files: how many files are read one after the other, then polls of a moving job. */
export const READ_FILES = 6;
export const POLLS = 4;
export const FILES_DONE_TOKEN = 'sluice-files-done';

/** A marker printed by a shell command or written into a file: `[[tool:NAME {args}]]`. */
function marker(client, cmd, what) {
  const tool = SHELL_TOOLS[client];
  return `[[tool:${tool.name} ${JSON.stringify(tool.args(cmd, what))}]]`;
}

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
  if (task === 'secret') {
    const { awsKey, email, githubToken } = SECRETS;
    const half = githubToken.length / 2;
    const cmd = `echo ${awsKey} > ${workdir}/secret.txt && printf 'owner %s token %s%s\\n' ${email} ${githubToken.slice(0, half)} ${githubToken.slice(half)}`;
    return `My AWS key is ${awsKey} and my address is ${email}. Save the key and look up my token: ${marker(client, cmd, 'save the key')}`;
  }
  if (task === 'loop') {
    // [[tool-loop:…]]: loopback asks for this same call after every result, never answering in text.
    const tool = SHELL_TOOLS[client];
    const cmd = `echo tick >> ${workdir}/loop.log && echo ${LOOP_TOKEN}`;
    return `Wait until the service is up: [[tool-loop:${tool.name} ${JSON.stringify(tool.args(cmd, 'check the service'))}]]`;
  }
  if (task === 'read-files') {
    return `Read the notes one after the other, then wait for the job: ${marker(client, `cat ${workdir}/notes/01.txt`, 'read note 1')}`;
  }
  const think = task === 'think' ? '[[think]] ' : '';
  if (task !== 'two-step' && task !== 'think') throw new Error(`unknown task ${task}`);
  const inner = `${think}[[tool:${tool.name} ${JSON.stringify(tool.args(step2, 'step two'))}`;
  if (inner.includes("'")) throw new Error('inner marker must not contain a single quote');
  const step1 = `echo step-one > ${workdir}/step1.txt && printf '%s%s' '${inner}' ']]'`;
  const outer = `[[tool:${tool.name} ${JSON.stringify(tool.args(step1, 'step one'))}]]`;
  return `${think}Run ${outer}`;
}

/**
 * TASK=read-files: notes/01.txt … NN.txt, each with some text and the marker that reads the next
 * (the same tool, different arguments every time), the last one asking for `sh poll.sh`, which
 * prints a job status that moves (the same call, a different result every time) and a marker for
 * the next poll until the job is done. An ordinary session: nothing in it is a loop.
 */
export function setup(client, workdir, task) {
  if (task !== 'read-files') return;
  fs.mkdirSync(`${workdir}/notes`, { recursive: true });
  for (let i = 1; i <= READ_FILES; i++) {
    const n = String(i).padStart(2, '0');
    const next = i < READ_FILES
      ? marker(client, `cat ${workdir}/notes/${String(i + 1).padStart(2, '0')}.txt`, `read note ${i + 1}`)
      : marker(client, `sh ${workdir}/poll.sh`, 'poll the job');
    fs.writeFileSync(`${workdir}/notes/${n}.txt`, `# Note ${n}\nSection ${i} of the design: the parser hands spans to stage ${i + 1}.\nNext: ${next}\n`);
  }
  // The poll marker is printed in two halves so the script's own text holds no `}]]`.
  const poll = marker(client, `sh ${workdir}/poll.sh`, 'poll the job');
  fs.writeFileSync(`${workdir}/poll.sh`, [
    `n=$(cat ${workdir}/poll.count 2>/dev/null || echo 0); n=$((n + 1)); echo $n > ${workdir}/poll.count`,
    `if [ $n -lt ${POLLS} ]; then`,
    `  echo "job 7: running, step $n of ${POLLS}"`,
    `  printf '%s%s\\n' '${poll.slice(0, -2).replace(/'/g, "'\\''")}' ']]'`,
    'else',
    `  echo "job 7: done after ${POLLS} steps ${FILES_DONE_TOKEN}"`,
    'fi',
    '',
  ].join('\n'));
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

/** Every file under `paths` (files or directories, recursively) in which a TASK=secret value occurs. */
export function leaks(paths) {
  const found = [];
  const walk = (p) => {
    if (!fs.existsSync(p)) return;
    if (fs.statSync(p).isDirectory()) { for (const f of fs.readdirSync(p).sort()) walk(`${p}/${f}`); return; }
    const text = fs.readFileSync(p, 'latin1');
    for (const [name, value] of Object.entries(SECRETS)) {
      // Also JSON-escaped or URL-encoded forms: a value is a leak however it is written.
      for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])) {
        if (text.includes(form)) { found.push(`${p}: ${name}`); break; }
      }
    }
  };
  for (const p of paths) walk(p);
  return found;
}

/** `TYPE=count` of the firewall's placeholders ([EMAIL_ADDRESS_1] …) in the bodies under `dir`. */
function countPlaceholders(dir) {
  const counts = {};
  if (!fs.existsSync(dir)) return counts;
  for (const f of fs.readdirSync(dir)) {
    for (const m of fs.readFileSync(`${dir}/${f}`, 'utf8').matchAll(/\[([A-Z][A-Z0-9_]*?)_\d+\]/g)) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
  }
  return counts;
}

const GENERATION = /\/v1\/messages|\/v1\/responses|\/v1\/chat\/completions|:(?:stream)?[gG]enerateContent/;

/**
 * The session's generation requests (from the tap's NNN.req.json files) as a replay fixture for
 * test/plugins/dedupe: the conversation as the client sent it (messages / input / contents) with
 * the bulky parts that say nothing of tool history trimmed (system prompts, instructions, tool
 * schemas: names kept). Requests without tool history (a title or classification call) are left out.
 */
export function fixture(client, dir, name, task) {
  const protocol = { claude: 'anthropic.messages', codex: 'openai.responses', gemini: 'gemini.generate' }[client];
  const requests = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.req.json')).sort()) {
    let rec; try { rec = JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')); } catch { continue; }
    const body = rec.body ?? rec;
    if (rec.path && !GENERATION.test(rec.path)) continue;
    if (typeof body !== 'object' || body === null) continue;
    const history = body.messages ?? body.input ?? body.contents;
    if (!Array.isArray(history) || !JSON.stringify(history).match(/tool_result|function_call_output|functionResponse/)) continue;
    const trimmed = { ...body };
    if (typeof trimmed.system !== 'undefined') trimmed.system = '(trimmed)';
    if (typeof trimmed.instructions !== 'undefined') trimmed.instructions = '(trimmed)';
    if (trimmed.systemInstruction) trimmed.systemInstruction = { parts: [{ text: '(trimmed)' }] };
    if (Array.isArray(trimmed.tools)) trimmed.tools = trimmed.tools.map(trimTool);
    if (Array.isArray(trimmed.input)) trimmed.input = trimmed.input.map((item) => item.role === 'developer' ? { ...item, content: [{ type: 'input_text', text: '(trimmed)' }] } : trimText(item));
    if (Array.isArray(trimmed.messages)) trimmed.messages = trimmed.messages.map(trimText);
    if (Array.isArray(trimmed.contents)) trimmed.contents = trimmed.contents.map(trimText);
    requests.push(trimmed);
  }
  return { name, client, protocol, task, recorded: 'bench/real-clients/run.sh (see bench/results/real-clients.md)', requests };
}

/**
 * A message with its long plain-text parts (the clients' context reminders, environment blocks)
 * shortened; tool calls and results are kept byte for byte — they are what the detector reads.
 */
function trimText(message) {
  const long = (t) => typeof t === 'string' && t.length > 600;
  const part = (p) => (p && (p.type === 'text' || p.type === 'input_text' || (!p.type && 'text' in p)) && long(p.text) ? { ...p, text: `(trimmed: ${p.text.length} characters)` } : p);
  if (Array.isArray(message.content)) return { ...message, content: message.content.map(part) };
  if (long(message.content)) return { ...message, content: `(trimmed: ${message.content.length} characters)` };
  if (Array.isArray(message.parts)) return { ...message, parts: message.parts.map(part) };
  return message;
}

function trimTool(t) {
  if (Array.isArray(t.functionDeclarations)) return { functionDeclarations: t.functionDeclarations.map((d) => ({ name: d.name })) };
  if (t.function) return { type: t.type, function: { name: t.function.name } };
  return { ...(t.type ? { type: t.type } : {}), name: t.name };
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'prompt') process.stdout.write(prompt(args[0], args[1], args[2]));
else if (cmd === 'setup') setup(args[0], args[1], args[2]);
else if (cmd === 'secrets') process.stdout.write(Object.values(SECRETS).join('\n') + '\n');
else if (cmd === 'leaks') { const found = leaks(args); process.stdout.write(found.length ? found.join('\n') + '\n' : ''); }
else if (cmd === 'count-placeholders') process.stdout.write(Object.entries(countPlaceholders(args[0])).map(([k, v]) => `${k}=${v}`).join(',') + '\n');
else if (cmd === 'fixture') process.stdout.write(JSON.stringify(fixture(args[0], args[1], args[2], args[3]), null, 1) + '\n');
else if (cmd === 'final') process.stdout.write(finalAnswer(args[0], args[1]));
else if (cmd === 'free-port') freePort().then((p) => process.stdout.write(String(p)));
else if (cmd === 'summary') process.stdout.write(summary(args[0]) + '\n');
else if (cmd === 'check-streams') { const problems = checkStreams(args[0]); process.stdout.write(problems.length ? problems.join('\n') + '\n' : ''); }
else if (cmd) { console.error(`unknown command ${cmd}`); process.exit(2); }

