// The ledger's options (`with:` under `- use: ledger`).
import { z } from '../../core/index.js';

const fraction = z.number().min(0).max(100);

export const ledgerOptions = z.strictObject({
  flush_interval_ms: z.number().int().min(50).max(60_000).default(1000)
    .describe('Rows are written at least this often; a crash loses at most the rows of the last interval.'),
  batch_size: z.number().int().min(1).max(5000).default(500)
    .describe('Rows per INSERT; this many waiting rows start a write before the interval is up.'),
  max_buffer_rows: z.number().int().min(100).default(10_000)
    .describe('Rows held in memory while the database is slow; beyond this they go to the spill file.'),
  write_timeout_ms: z.number().int().min(100).default(10_000)
    .describe('A database write taking longer is abandoned (a late commit is harmless). Its rows go to the spill file already once it outlasts flush_interval_ms.'),
  spill_dir: z.string().min(1).default('./data/ledger-spill')
    .describe('Where rows wait (JSON lines) while the database is unavailable; relative to the config file.'),
  retention_days: z.number().int().min(1).max(36_500).optional()
    .describe('Rows older than this many days are deleted, in the background (a second after start, then hourly). Unset: every row is kept.'),
  include_admin: z.boolean().default(false)
    .describe('Also record /admin/… requests (off: an admin polling usage would fill the ledger with itself).'),
  count: z.strictObject({
    enabled: z.boolean().default(true)
      .describe('Count prompt and completion tokens independently of the provider (a tokenizer for OpenAI models, an estimate for the rest).'),
    tolerance: fraction.default(0.1)
      .describe('A tokenizer count differing from the billed count by more than this fraction (and slack_tokens) flags the row.'),
    estimate_tolerance: fraction.default(0.5)
      .describe('The same for models without a public tokenizer, whose local count is only an estimate.'),
    slack_tokens: z.number().int().min(0).default(16)
      .describe('Differences up to this many tokens never flag (message framing the local count cannot see).'),
    max_chars: z.number().int().min(0).default(200_000)
      .describe('Longer request or response text is not counted locally (bounds the CPU a row may cost).'),
  }).prefault({}),
  audit: z.strictObject({
    degradation_factor: z.number().min(1).default(1.5)
      .describe('A day whose TTFB p50 is more than this many times the baseline, or whose tokens/s is more than this many times lower, is flagged.'),
    baseline_days: z.number().int().min(1).max(90).default(7)
      .describe('The trailing days (before the day judged) that make up its baseline.'),
  }).prefault({}),
});

export type LedgerOptions = z.output<typeof ledgerOptions>;
