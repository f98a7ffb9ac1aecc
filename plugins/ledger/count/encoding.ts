// Which public tokenizer an OpenAI model uses (tiktoken's encodings, as gpt-tokenizer ships them).
// Models without a public tokenizer (Anthropic, Google, the rest) get an estimate instead.

export const ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
export type Encoding = (typeof ENCODINGS)[number];

const O200K = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4|codex-mini|computer-use-preview)(\b|[-.:])/i;
const CL100K = /^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)(\b|[-.:])/i;

/** The encoding of an OpenAI model name (a fine-tune `ft:gpt-4o-mini:org::id` counts as its base). */
export function encodingFor(model: string): Encoding | undefined {
  const base = model.startsWith('ft:') ? model.slice(3) : model;
  if (O200K.test(base)) return 'o200k_base';
  if (CL100K.test(base)) return 'cl100k_base';
  return undefined;
}
