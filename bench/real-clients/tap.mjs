#!/usr/bin/env node
// A recording HTTP tap between a real client and the Sluice under test.
//
//   node tap.mjs LISTEN_PORT TARGET_PORT LOG_FILE [BODY_DIR]
//
// Forwards every request unchanged to 127.0.0.1:TARGET_PORT (WebSocket upgrades included, as raw
// bytes) and appends one JSON line per exchange to LOG_FILE: method, path, status, a summary of
// the request body (model, stream, item counts, the kinds of the last items, tool names offered),
// the response body for any non-2xx status, and in-stream error events for 2xx SSE responses.
// With BODY_DIR every request and response body is also written there (NNN.req.json, NNN.res.txt).
// Plain Node, no dependencies: the real-client trials must not depend on the gateway's own code.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const [listenPort, targetPort, logFile, bodyDir] = process.argv.slice(2);
if (!listenPort || !targetPort || !logFile) {
  console.error('usage: node tap.mjs LISTEN_PORT TARGET_PORT LOG_FILE [BODY_DIR]');
  process.exit(2);
}
if (bodyDir) fs.mkdirSync(bodyDir, { recursive: true });

let seq = 0;
const log = (entry) => fs.appendFileSync(logFile, JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n');
const clip = (s, n = 2000) => (s.length > n ? s.slice(0, n) + `…[${s.length - n} more]` : s);

function summarise(body) {
  let j;
  try { j = JSON.parse(body.toString('utf8')); } catch { return body.length ? { bytes: body.length, json: false } : undefined; }
  if (!j || typeof j !== 'object') return undefined;
  const s = { bytes: body.length };
  if (j.model !== undefined) s.model = j.model;
  if (j.stream !== undefined) s.stream = j.stream;
  const kindOf = (it) => {
    if (!it || typeof it !== 'object') return typeof it;
    if (it.type && it.type !== 'message') return it.type;
    const role = it.role ?? '?';
    const c = it.content ?? it.parts;
    if (Array.isArray(c)) return `${role}[${c.map((b) => b?.type ?? Object.keys(b ?? {}).filter((k) => k !== 'thoughtSignature')[0]).join(',')}]`;
    return `${role}:${typeof c}`;
  };
  for (const key of ['messages', 'input', 'contents']) {
    if (Array.isArray(j[key])) { s[key] = j[key].length; s.last = j[key].slice(-3).map(kindOf); }
  }
  if (typeof j.input === 'string') s.input = 'string';
  if (j.previous_response_id) s.previous_response_id = j.previous_response_id;
  if (Array.isArray(j.tools)) {
    s.tools = j.tools.flatMap((t) => t?.functionDeclarations ? t.functionDeclarations.map((f) => f.name) : [t?.name ?? t?.function?.name ?? t?.type]);
  }
  return s;
}

/** Error signals inside a 2xx SSE body, in any of the three protocols. */
function streamErrors(text) {
  const found = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^event:\s*(error|response\.failed|response\.incomplete)/.test(line)) found.push(line);
    else if (/^data:.*("type"\s*:\s*"(error|response\.failed)"|^data:\s*\{"error")/.test(line)) found.push(clip(line, 600));
  }
  return found.slice(0, 5);
}

const server = http.createServer((req, res) => {
  const id = ++seq;
  const started = Date.now();
  const chunks = [];
  let clientGone = false;
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (bodyDir) fs.writeFileSync(path.join(bodyDir, `${String(id).padStart(3, '0')}.req.json`), body);
    const upstream = http.request(
      { host: '127.0.0.1', port: Number(targetPort), method: req.method, path: req.url, headers: req.headers },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.rawHeaders);
        const out = [];
        let finished = false;
        const finish = (how) => {
          if (finished) return;
          finished = true;
          const text = Buffer.concat(out).toString('utf8');
          if (bodyDir) fs.writeFileSync(path.join(bodyDir, `${String(id).padStart(3, '0')}.res.txt`), text);
          const status = ur.statusCode ?? 0;
          const entry = {
            seq: id, method: req.method, path: req.url, status, ms: Date.now() - started,
            content_type: ur.headers['content-type'], request_id: ur.headers['x-request-id'], req: summarise(body),
          };
          if (how !== 'end') { entry.incomplete = how; entry.bytes_received = text.length; entry.tail = clip(text.slice(-600), 600); }
          if (status >= 400) entry.error_body = clip(text);
          else if (String(ur.headers['content-type'] ?? '').includes('event-stream')) {
            const errs = streamErrors(text);
            if (errs.length) entry.stream_errors = errs;
            const events = [...text.matchAll(/^event:\s*(\S+)/gm)].map((m) => m[1]);
            entry.events = events.length;
            const terminal = events.filter((e) => /message_stop|response\.(completed|failed|incomplete)|error/.test(e));
            if (terminal.length) entry.terminal = terminal;
            if (/^data:\s*\[DONE\]/m.test(text)) entry.done = true;
          }
          log(entry);
        };
        ur.on('data', (c) => { out.push(c); res.write(c); });
        ur.on('end', () => { res.end(); finish('end'); });
        ur.on('error', (e) => { finish(clientGone ? 'client aborted' : `upstream error: ${e}`); res.destroy(e); });
        ur.on('close', () => finish(clientGone ? 'client aborted' : 'upstream closed'));
      },
    );
    upstream.on('error', (e) => {
      log({ seq: id, method: req.method, path: req.url, connect_error: String(e), req: summarise(body) });
      if (!res.headersSent) { res.writeHead(502, { 'content-type': 'application/json' }); res.end(JSON.stringify({ error: { message: `tap: ${e}` } })); }
      else res.destroy();
    });
    res.on('close', () => { if (!res.writableEnded) { clientGone = true; upstream.destroy(); } });
    upstream.end(body);
  });
});

// WebSocket (or any) upgrade: replay the request head to the target and splice the sockets.
server.on('upgrade', (req, socket, head) => {
  const id = ++seq;
  const target = net.connect(Number(targetPort), '127.0.0.1', () => {
    let headText = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) headText += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
    target.write(headText + '\r\n');
    if (head?.length) target.write(head);
    let first = Buffer.alloc(0);
    let logged = false;
    target.on('data', (c) => {
      if (!logged) {
        first = Buffer.concat([first, c]);
        const t = first.toString('latin1');
        const end = t.indexOf('\r\n\r\n');
        if (end >= 0 || first.length > 8192) {
          logged = true;
          const status = Number(/^HTTP\/\S+\s+(\d+)/.exec(t)?.[1] ?? 0);
          log({ seq: id, method: req.method, path: req.url, upgrade: req.headers.upgrade, status, response_head: clip(t.slice(0, end >= 0 ? end : 400), 400), body: clip(end >= 0 ? t.slice(end + 4) : '', 600) });
        }
      }
      socket.write(c);
    });
    socket.pipe(target);
  });
  target.on('error', (e) => { log({ seq: id, method: req.method, path: req.url, upgrade: req.headers.upgrade, connect_error: String(e) }); socket.destroy(); });
  target.on('end', () => socket.end());
  socket.on('error', () => target.destroy());
  socket.on('close', () => target.destroy());
});

server.listen(Number(listenPort), '127.0.0.1', () => log({ msg: 'tap listening', listen: Number(listenPort), target: Number(targetPort) }));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
