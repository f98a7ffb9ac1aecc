// The model label of the ledger's per-model series. The served model is the name the client asked
// for wherever a route passes names through (a default provider, loopback, an OpenAI-compatible
// server that takes any name), so a label taken as-is lets any client add series without end — a
// scrape with `sample_limit` then fails whole, and so does one label over `label_value_length_limit`
// — or put control characters in the exposition. Such names are counted under OTHER_MODEL; the
// ledger rows keep the real name.
export const OTHER_MODEL = '(other)';
const MAX_LABEL_LENGTH = 128;
/** Distinct model labels per gateway process; far above the models a real deployment serves. */
const MAX_MODELS = 500;
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;

export class ModelLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max = MAX_MODELS) {}

  of(model: string): string {
    if (this.seen.has(model)) return model;
    if (model.length > MAX_LABEL_LENGTH || CONTROL_OR_FORMAT.test(model) || this.seen.size >= this.max) return OTHER_MODEL;
    this.seen.add(model);
    return model;
  }
}
