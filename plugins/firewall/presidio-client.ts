// Client for presidio-analyzer's REST API: POST {url}/analyze, GET {url}/health.
// Request: {text, language, entities?, score_threshold}. Response: a JSON array of
// {entity_type, start, end, score, analysis_explanation, recognition_metadata}, offsets in code points.
import type { Finding } from './types.js';
import type { PresidioOptions } from './options.js';
import { codePointLength, codePointToUtf16 } from './offsets.js';
import { typeFromName } from './entity-names.js';

/** The sidecar failed, timed out or answered something that is not an analyzer result. */
export class PresidioError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'PresidioError';
  }
}

interface AnalyzerResult {
  entity_type: string;
  start: number;
  end: number;
  score: number;
}

// A result is trusted only when its span lies inside the text sent and its score is a probability:
// a span outside it would be sliced from the wrong end of the text (a negative start counts from the
// end in String.slice) and redact the wrong characters, silently.
function isAnalyzerResult(value: unknown, length: number): value is AnalyzerResult {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.entity_type === 'string' && entityType(v.entity_type) !== ''
    && Number.isInteger(v.start) && Number.isInteger(v.end) && (v.start as number) >= 0 && (v.start as number) < (v.end as number) && (v.end as number) <= length
    && typeof v.score === 'number' && v.score >= 0 && v.score <= 1;
}

/**
 * The type as Sluice names types: upper snake case (`PERSON`, `US_DRIVER_LICENSE`), like the
 * `entities:` keys a policy is written with. The name goes into the `x-sluice-firewall` header, the
 * log line, metric labels and placeholders, so a custom recognizer named `person name` (or an
 * answer carrying a line break, which Node refuses in a header and would fail the request) becomes
 * `PERSON_NAME` — the same rule as a custom pattern's default type.
 */
const entityType = typeFromName;

export type FetchLike = typeof fetch;

/** Characters of the analyzer's error text an error message (and so a log line) keeps. */
const DETAIL_MAX = 160;
/** Words of the error text this long or longer are looked for in the text sent (shorter ones are common words). */
const QUOTE_WORD = 6;
const WORDS = /[\s'"`,;:()[\]{}<>]+/;

/**
 * The analyzer's `error` text as an error message may carry it: one line, at most DETAIL_MAX
 * characters, and none of it when it quotes the text sent. The analyzer answers an exception's own
 * message (`jsonify(error=e.args[0])`), which can hold a piece of the prompt — the very values the
 * firewall looks for (an SSN, a key), which must never reach a log line. A word of the error found
 * in the text drops the detail: a common word doing so loses a diagnostic, never a secret.
 */
function errorDetail(raw: string, text: string): string {
  const line = raw.slice(0, DETAIL_MAX).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  for (const word of line.split(WORDS)) {
    if (word.length >= QUOTE_WORD && text.includes(word)) return '(its error text quotes the text sent: left out)';
  }
  return raw.length > DETAIL_MAX ? `${line}…` : line;
}

export class PresidioClient {
  /** The URL without credentials: it is what error messages (and so log lines) name. */
  private readonly base: string;
  /** From `user:password@` in the URL (an analyzer behind a basic-auth proxy): fetch refuses a URL that carries them. */
  private readonly headers: Record<string, string>;

  constructor(private readonly options: PresidioOptions, private readonly fetchImpl: FetchLike = fetch) {
    const url = new URL(options.url);
    this.headers = {};
    if (url.username !== '' || url.password !== '') {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      this.headers['authorization'] = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    this.base = url.href.replace(/\/+$/, '');
  }

  /** Asks the analyzer for entities in `text`; findings carry UTF-16 offsets. Throws PresidioError. */
  async analyze(text: string): Promise<Finding[]> {
    // The analyzer answers 500 "No text provided" for empty text: there is nothing to find anyway.
    if (text.length === 0) return [];
    const body: Record<string, unknown> = {
      text,
      language: this.options.language,
      score_threshold: this.options.score_threshold,
    };
    if (this.options.entities?.length) body.entities = this.options.entities;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.headers },
        body: JSON.stringify(body),
        // Never followed: a 307/308 would send the prompt's text (the very values being looked
        // for) to wherever the analyzer's address points.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeout_ms),
      });
    } catch (err) {
      const name = (err as Error).name;
      const reason = name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${this.options.timeout_ms} ms` : (err as Error).message;
      throw new PresidioError(`presidio-analyzer at ${this.base} ${reason}`);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new PresidioError(`presidio-analyzer answered with a redirect (HTTP ${response.status}), which Sluice does not follow; check presidio.url`, response.status);
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      throw new PresidioError(`presidio-analyzer answered ${response.status} with a body that is not JSON`, response.status);
    }
    if (!response.ok) {
      const detail = typeof payload === 'object' && payload !== null && 'error' in payload ? errorDetail(String((payload as { error: unknown }).error), text) : '';
      throw new PresidioError(`presidio-analyzer answered ${response.status}${detail ? `: ${detail}` : ''}`, response.status);
    }
    const length = codePointLength(text);
    if (!Array.isArray(payload) || !payload.every((result) => isAnalyzerResult(result, length))) {
      throw new PresidioError('presidio-analyzer answered something that is not a list of results for the text sent', response.status);
    }
    const toUtf16 = codePointToUtf16(text);
    return payload.map((result) => ({
      type: entityType(result.entity_type),
      start: toUtf16(result.start),
      end: toUtf16(result.end),
      score: result.score,
      detector: 'presidio',
    }));
  }

  /** Readiness: true when GET /health answers 2xx within the timeout. */
  async ready(): Promise<boolean> {
    try {
      const response = await this.fetchImpl(`${this.base}/health`, { headers: this.headers, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeout_ms) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }
}
