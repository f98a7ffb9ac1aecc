// Stream framings: what a client reads is one valid document whatever happened — SSE as before, and
// Gemini's JSON array (`[{…}\r\n,{…}\r\n]`) closed after any mix of events, idle keep-alives and errors.
import { expect } from 'chai';
import { streamFramer } from '../../core/http/stream-framing.js';
import { WireEvent } from '../../core/protocols/raw-json.js';
import { encodeSseEvent } from '../../core/protocols/sse.js';
import type { JsonValue, Protocol, StreamEvent } from '../../core/protocols/types.js';

const GEMINI: Protocol = { family: 'gemini', operation: 'generate' };
const CHAT: Protocol = { family: 'openai', operation: 'chat' };
const chunk = (text: string): StreamEvent => ({ data: { candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0 }] } });
const ERROR: StreamEvent = { data: { error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } } };

describe('stream framing', () => {
  describe('JSON array (Gemini without alt=sse)', () => {
    it('writes Google\'s bytes: `[` before the first element, CRLF and a comma before the others, CRLF and `]` at the end', () => {
      const f = streamFramer('json-array', GEMINI, false);
      expect(f.contentType).to.equal('application/json; charset=utf-8');
      const body = f.event(chunk('a')) + f.event(chunk('b')) + f.end(false);
      expect(body).to.equal(`[${JSON.stringify(chunk('a').data)}\r\n,${JSON.stringify(chunk('b').data)}\r\n]`);
      expect(JSON.parse(body)).to.deep.equal([chunk('a').data, chunk('b').data]);
    });

    it('an upstream with no events is `[]`', () => {
      const f = streamFramer('json-array', GEMINI, false);
      expect(f.end(false)).to.equal('[]');
    });

    it('an idle stream opens the array at its first keep-alive, then sends whitespace; never a byte before the `[`', () => {
      const f = streamFramer('json-array', GEMINI, false);
      const first = f.keepAlive();
      expect(first).to.equal('[');
      const body = first + f.keepAlive() + f.event(chunk('a')) + f.keepAlive() + f.event(chunk('b')) + f.end(false);
      expect(JSON.parse(body)).to.deep.equal([chunk('a').data, chunk('b').data]);
      const idleOnly = streamFramer('json-array', GEMINI, false);
      expect(JSON.parse(idleOnly.keepAlive() + idleOnly.keepAlive() + idleOnly.end(false))).to.deep.equal([]);
    });

    it('an error ends the array as its last element, after events or none', () => {
      const f = streamFramer('json-array', GEMINI, false);
      expect(JSON.parse(f.event(chunk('a')) + f.event(ERROR) + f.end(true))).to.deep.equal([chunk('a').data, ERROR.data]);
      const g = streamFramer('json-array', GEMINI, false);
      expect(JSON.parse(g.keepAlive() + g.event(ERROR) + g.end(true))).to.deep.equal([ERROR.data]);
    });

    it('a keep-alive after the end is trailing whitespace, not a second `[`', () => {
      const f = streamFramer('json-array', GEMINI, false);
      expect(JSON.parse(f.end(false) + f.keepAlive())).to.deep.equal([]);
    });

    it('writes an untouched upstream event\'s own text, and re-serialises one a plugin changed', () => {
      const raw = '{"candidates": [{"index": 0}]}';
      const f = streamFramer('json-array', GEMINI, true);
      const ev = new WireEvent(JSON.parse(raw) as JsonValue, raw);
      expect(f.event(ev)).to.equal(`[${raw}`);
      ev.data = { changed: true };
      expect(f.event(ev)).to.equal('\r\n,{"changed":true}');
    });
  });

  describe('SSE (every other stream)', () => {
    it('frames events, keep-alives and terminators as before', () => {
      const chat = streamFramer(undefined, CHAT, false);
      expect(chat.contentType).to.equal('text/event-stream; charset=utf-8');
      expect(chat.event(chunk('a'))).to.equal(encodeSseEvent(chunk('a')));
      expect(chat.keepAlive()).to.equal(': keep-alive\n\n');
      expect(chat.end(false)).to.equal('data: [DONE]\n\n');
      expect(chat.end(true), 'no [DONE] after an error').to.equal('');
      expect(streamFramer('sse', GEMINI, false).end(false)).to.equal('');
      expect(streamFramer(undefined, { family: 'anthropic', operation: 'messages' }, true).keepAlive()).to.equal('event: ping\ndata: {"type":"ping"}\n\n');
    });
  });

  describe('messages (a Responses turn on a WebSocket)', () => {
    const RESPONSES: Protocol = { family: 'openai', operation: 'responses' };
    const delta = { type: 'response.output_text.delta', sequence_number: 3, delta: 'a\nb' };

    it('writes each event\'s JSON on a line of its own, and nothing for keep-alives or the end', () => {
      const f = streamFramer('messages', RESPONSES, false);
      const text = f.event({ event: 'response.output_text.delta', data: delta }) + f.keepAlive() + f.end(false) + f.end(true);
      expect(text).to.equal(`${JSON.stringify(delta)}\n`);
      expect(JSON.parse(text.split('\n')[0]!)).to.deep.equal(delta);
    });

    it('keeps an untouched event\'s own text, but one pretty-printed over lines is written on one', () => {
      const f = streamFramer('messages', RESPONSES, true);
      const oneLine = '{"type": "response.created", "sequence_number": 0}';
      expect(f.event(new WireEvent(JSON.parse(oneLine) as JsonValue, oneLine))).to.equal(`${oneLine}\n`);
      const pretty = '{\n  "type": "response.completed",\n  "sequence_number": 9\n}';
      expect(f.event(new WireEvent(JSON.parse(pretty) as JsonValue, pretty))).to.equal('{"type":"response.completed","sequence_number":9}\n');
    });

    it('drops a data line that is not a JSON object (no message a client could parse)', () => {
      const f = streamFramer('messages', RESPONSES, false);
      expect(f.event({ data: '[DONE]' })).to.equal('');
    });
  });
});
