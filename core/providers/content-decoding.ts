// Undoing an upstream's `content-encoding`. Sluice asks for `identity`, but proxies and servers in
// front of providers compress anyway (RFC 9110 lets them when a request names no coding, and some
// ignore what it names), and an operator may ask for compression in a provider's `headers`. undici's
// dispatcher hands over the bytes as they came, so a gzip answer read as it is would be "not JSON",
// or an event stream with no events.
import zlib, { type Gunzip } from 'node:zlib';

/** An answer whose content-encoding Sluice cannot undo, or whose bytes do not decode. */
export class ContentDecodingError extends Error {
  constructor(readonly encoding: string, detail: string) {
    super(`content-encoding ${encoding}: ${detail}`);
  }
}

type Decompressor = Gunzip; // every zlib decompressor has this stream shape

/** Where decoded bytes go: `push` returns false to ask for a pause until `resume()` is called on the decoder. */
export interface DecodedSink {
  push(chunk: Buffer): boolean;
  end(error: unknown): void;
}

const zstd = (zlib as { createZstdDecompress?: () => Decompressor }).createZstdDecompress;

/** The codings decompressorFor has a decompressor for on this Node.js (zstd from Node 22.15 / 23.8). */
const DECODABLE: ReadonlySet<string> = new Set(['gzip', 'x-gzip', 'deflate', 'br', ...(zstd ? ['zstd'] : [])]);

/** The decompressor for one coding name; undefined when there is none on this Node.js. */
function decompressorFor(coding: string, firstByte: number): Decompressor | undefined {
  switch (coding) {
    case 'gzip': case 'x-gzip': return zlib.createGunzip();
    // "deflate" is meant to be zlib-wrapped; some servers send raw deflate. A zlib header's first
    // byte has compression method 8 in its low nibble; raw deflate's first byte rarely does.
    case 'deflate': return (firstByte & 0x0f) === 8 ? zlib.createInflate() : zlib.createInflateRaw();
    case 'br': return zlib.createBrotliDecompress();
    case 'zstd': return zstd?.();
    default: return undefined;
  }
}

/**
 * The codings of a content-encoding header in the order to undo them (the last applied first), or
 * a ContentDecodingError when one is unknown. An empty list when nothing needs undoing.
 */
export function codingsToUndo(header: string): string[] | ContentDecodingError {
  const codings = header.toLowerCase().split(',').map((c) => c.trim()).filter((c) => c !== '' && c !== 'identity').reverse();
  for (const coding of codings) {
    if (!DECODABLE.has(coding)) return new ContentDecodingError(coding, 'not a coding Sluice can decode');
  }
  return codings;
}

/**
 * Decodes the body bytes undici delivers into `sink`, with back-pressure both ways: `write` returns
 * false when undici should pause the socket (`onDrain` is then called once it may resume), and the
 * decoder stops while the sink is full, until `resume()`.
 */
export class ContentDecoder {
  /** The decompressors in the order the bytes pass them (built at the first chunk). */
  private chain: Decompressor[] = [];
  private wrote = false;
  private failed = false;

  constructor(private readonly codings: readonly string[], private readonly sink: DecodedSink, private readonly onDrain: () => void) {}

  write(chunk: Buffer): boolean {
    if (this.failed) return true;
    if (!this.wrote) this.build(chunk[0] ?? 0);
    this.wrote = true;
    return this.chain[0]!.write(chunk);
  }

  end(): void {
    if (this.failed) return;
    // An empty body (a 204, a bodiless error) is not a truncated gzip member.
    if (!this.wrote) { this.sink.end(undefined); return; }
    this.chain[0]!.end();
  }

  resume(): void {
    this.chain[this.chain.length - 1]?.resume();
  }

  destroy(): void {
    this.failed = true;
    for (const d of this.chain) d.destroy();
  }

  private build(firstByte: number): void {
    for (const coding of this.codings) {
      const previous = this.chain[this.chain.length - 1];
      // Only the outermost coding's first byte is known here; an inner deflate is taken as zlib-wrapped.
      const d = decompressorFor(coding, previous ? 0x78 : firstByte)!;
      d.on('error', (err: Error) => this.fail(coding, err));
      previous?.pipe(d);
      this.chain.push(d);
    }
    const last = this.chain[this.chain.length - 1]!;
    this.chain[0]!.on('drain', this.onDrain);
    last.on('data', (chunk: Buffer) => { if (!this.sink.push(chunk)) last.pause(); });
    last.on('end', () => this.sink.end(undefined));
  }

  private fail(coding: string, err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.sink.end(new ContentDecodingError(coding, `the body does not decode (${(err as { code?: string }).code ?? err.message})`));
  }
}
