// How the tokenizer thread counts one text. gpt-tokenizer's countTokens splits the text with
// `String.prototype.matchAll` and reads each piece through a `for…of` with array destructuring: an
// iterator object, a result object, a match array and an array iterator a piece, which for a new
// user message or answer of ~100 characters (~20 pieces) was over half of the count's CPU
// (bench/results/ledger.md round 38). Here the same split runs on copies of the encoding's split
// pattern — each piece found by a sticky `test` where the last one ended, and sliced out — and each
// piece goes through the encoding's own rank lookup and byte-pair merge (so its merge cache too):
// the same count, piece for piece. Those are gpt-tokenizer's internals, not its API: where they are
// not as expected (another version), countTokens is used.

/** What the thread needs of an encoding module's API (gpt-tokenizer's `GptEncoding`). */
export interface Encoder { countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number }

/** The parts of gpt-tokenizer's BytePairEncodingCore the direct count uses (checked before use). */
interface Core {
  tokenSplitRegex: RegExp;
  getBpeRankFromString(piece: string): number | undefined;
  bytePairEncode(piece: string): ArrayLike<number>;
}

// Text that spells a special token (`<|endoftext|>`) is ordinary text to the API: count it as such.
const PLAIN = { disallowedSpecial: new Set<string>() };

export interface TextCounter {
  count(text: string): number;
  /** True when the direct count is used (false: countTokens). */
  readonly direct: boolean;
}

/** The counter of one encoding: the direct count where gpt-tokenizer's internals allow it, else countTokens. */
export function textCounter(encoder: Encoder): TextCounter {
  const core = coreOf(encoder);
  return core ? directCounter(core) : { count: (text) => encoder.countTokens(text, PLAIN), direct: false };
}

function directCounter(core: Core): TextCounter {
  const { tokenSplitRegex: split } = core;
  // Copies of the pattern (their lastIndex is this loop's): one sticky, tried at each piece's end
  // (`test` then a slice: no match array), the other global, for a piece that does not start there.
  const sticky = new RegExp(split.source, `${split.flags.replace('g', '')}y`);
  const global = new RegExp(split.source, split.flags);
  const unicode = split.flags.includes('u') || split.flags.includes('v');
  return {
    direct: true,
    count(text) {
      // Special tokens are not looked for: with none allowed (PLAIN), countTokens counts the whole
      // text as pieces too.
      // Up to and at the text's end, as matchAll tries it there too (a pattern could match empty).
      let n = 0;
      for (let at = 0; at <= text.length;) {
        let piece: string;
        sticky.lastIndex = at;
        if (sticky.test(text) && sticky.lastIndex > at) {
          // A match where the last one ended is the one matchAll finds (its leftmost from there).
          piece = text.slice(at, sticky.lastIndex);
          at = sticky.lastIndex;
        } else {
          global.lastIndex = at;
          const m = global.exec(text);
          if (m === null) break;
          piece = m[0];
          // An empty match moves on as matchAll does (a code point further with `u`/`v`), never loops.
          at = piece.length === 0 ? advance(text, global.lastIndex, unicode) : global.lastIndex;
        }
        n += core.getBpeRankFromString(piece) !== undefined ? 1 : core.bytePairEncode(piece).length;
      }
      return n;
    },
  };
}

function advance(text: string, at: number, unicode: boolean): number {
  if (!unicode || at + 1 >= text.length) return at + 1;
  const c = text.charCodeAt(at);
  const d = text.charCodeAt(at + 1);
  return c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? at + 2 : at + 1;
}

/** gpt-tokenizer's BytePairEncodingCore behind an encoding's API, if it has the parts used. */
function coreOf(encoder: Encoder): Core | undefined {
  const core = (encoder as { bytePairEncodingCoreProcessor?: Partial<Core> }).bytePairEncodingCoreProcessor;
  const split = core?.tokenSplitRegex;
  // Global as matchAll requires, and not sticky (the copies choose their own stickiness).
  if (!core || !(split instanceof RegExp) || !split.global || split.sticky) return undefined;
  if (typeof core.getBpeRankFromString !== 'function' || typeof core.bytePairEncode !== 'function') return undefined;
  return core as Core;
}
