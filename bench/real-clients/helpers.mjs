#!/usr/bin/env node
// Small helpers for run.sh (kept in JS so quoting stays sane).
//
//   node helpers.mjs prompt CLIENT WORKDIR      → the two-step shell task prompt for CLIENT
//   node helpers.mjs final CLIENT FILE          → the client's final answer, extracted from FILE
//   node helpers.mjs free-port                  → a free TCP port on 127.0.0.1
//   node helpers.mjs summary GATEWAY_LOG        → one line per request from a Sluice JSON log
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
 */
export function prompt(client, workdir) {
  const tool = SHELL_TOOLS[client];
  if (!tool) throw new Error(`unknown client ${client}`);
  const step2 = `echo step-two > ${workdir}/step2.txt && echo ${STEP_TWO_TOKEN}`;
  const inner = `[[tool:${tool.name} ${JSON.stringify(tool.args(step2, 'step two'))}`;
  if (inner.includes("'")) throw new Error('inner marker must not contain a single quote');
  const step1 = `echo step-one > ${workdir}/step1.txt && printf '%s%s' '${inner}' ']]'`;
  const outer = `[[tool:${tool.name} ${JSON.stringify(tool.args(step1, 'step one'))}]]`;
  return `Run ${outer}`;
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

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'prompt') process.stdout.write(prompt(args[0], args[1]));
else if (cmd === 'final') process.stdout.write(finalAnswer(args[0], args[1]));
else if (cmd === 'free-port') freePort().then((p) => process.stdout.write(String(p)));
else if (cmd === 'summary') process.stdout.write(summary(args[0]) + '\n');
else if (cmd) { console.error(`unknown command ${cmd}`); process.exit(2); }
