// The firewall's options (the `with:` block of `use: firewall`): what it does with findings in the
// chain (mode, per-entity actions, restore, output scanning) and how it detects them. Every pattern
// must compile with RE2 here, at option-parse time, so a bad pattern is a start-up error naming it.
import { createRequire } from 'node:module';
import { z } from '../../core/index.js';
import { EntityNames, typeFromName } from './entity-names.js';

type RE2Constructor = typeof import('re2');
let re2: RE2Constructor | undefined;

function compilesWithRe2(pattern: string): boolean {
  // Loaded on first use: validating a config without custom patterns (the embedded default) needs no RE2.
  re2 ??= createRequire(import.meta.url)('re2') as RE2Constructor;
  try {
    new re2(pattern);
    return true;
  } catch {
    return false;
  }
}

const re2Pattern = z.string().min(1).refine(compilesWithRe2)
  .meta({ expected: 'a regular expression RE2 can compile (no look-around, no back-references)' });
const score = z.number().min(0).max(1);

/** What the chain does with a finding of one entity type. */
export const entityActions = ['block', 'redact', 'allow'] as const;
export type EntityAction = (typeof entityActions)[number];

const entitySetting = z.union([
  z.boolean(),
  z.strictObject({
    enabled: z.boolean().default(true),
    min_score: score.optional(),
    action: z.enum(entityActions).optional()
      .describe('Overrides the mode\'s default: block the request, redact the value, or allow it (record only). Monitor mode never changes anything.'),
  }),
]);

// A type goes as written into the x-sluice-firewall header, the log line, metric labels and
// placeholders: a space or a comma there is ambiguous, and a line break or a character outside
// Latin-1 is refused by Node in a header, failing every request with a finding of that type.
const ENTITY_TYPE = /^[A-Z][A-Z0-9_]*$/;

// `regex` is accepted for `pattern`: it is the key Presidio's pattern recognizers use
// (`{name, regex, score}`), so operators bringing their recognizers over write it; refusing it as an
// unknown option would only make them rename it.
export const customPatternSchema = z.strictObject({
  name: z.string().min(1).describe('Names the pattern in errors and is the default entity type.'),
  type: z.string().refine((type) => ENTITY_TYPE.test(type))
    .meta({ expected: 'an entity type in upper snake case such as EMPLOYEE_ID (A-Z, 0-9 and _, starting with a letter)' })
    .optional().describe('Entity type reported (default: the name, upper-cased, other characters as _).'),
  pattern: re2Pattern.optional().describe('The regular expression (RE2 syntax).'),
  regex: re2Pattern.optional().describe('Another name for pattern, as in Presidio\'s pattern recognizers.'),
  score: score.default(0.8),
  keywords: z.array(z.string().min(1)).optional()
    .describe('Only report a match when one of these words (case-insensitive) is near it.'),
  group: z.number().int().min(0).optional().describe('Capture group that is the finding (default 0: the whole match).'),
}).superRefine((o, ctx) => {
  if (o.type === undefined && !ENTITY_TYPE.test(typeFromName(o.name))) {
    ctx.addIssue({ code: 'custom', path: ['name'], input: o.name, message: `expected a name with letters or digits to make the entity type from (or a type such as EMPLOYEE_ID), got ${JSON.stringify(o.name)}` });
  }
  if (o.pattern === undefined && o.regex === undefined) {
    ctx.addIssue({ code: 'custom', path: ['pattern'], input: undefined, message: 'expected a regular expression RE2 can compile (no look-around, no back-references) in pattern (or regex), got nothing' });
  } else if (o.pattern !== undefined && o.regex !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['regex'], input: o.regex, message: 'expected pattern or regex, not both' });
  }
}).transform(({ regex, ...o }) => ({ ...o, pattern: (o.pattern ?? regex) as string }));

/** The sidecar is called over HTTP(S): anything else would only fail at the first request. */
function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol, hostname } = new URL(text);
  return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
}

export const presidioSchema = z.strictObject({
  url: z.string().min(1)
    .refine(isHttpUrl, { error: (issue) => `expected an http or https URL such as http://127.0.0.1:5002, got ${JSON.stringify(issue.input)}` })
    .describe('Base URL of presidio-analyzer, e.g. http://127.0.0.1:5002'),
  language: z.string().min(2).default('en'),
  entities: z.array(z.string().min(1)).optional().describe('Entity types to ask for (default: all the analyzer supports).'),
  score_threshold: score.default(0.5),
  timeout_ms: z.number().int().min(1).max(60000).default(500),
  on_error: z.enum(['allow', 'block']).default('allow')
    .describe('What a failed or slow sidecar call means: carry on with built-in findings, or block.'),
});

export const firewallModes = ['monitor', 'enforce', 'redact'] as const;
export type FirewallMode = (typeof firewallModes)[number];
export const outputModes = ['off', 'monitor', 'redact', 'block'] as const;
export type OutputMode = (typeof outputModes)[number];

export const outputSchema = z.strictObject({
  mode: z.enum(outputModes).default('off')
    .describe('Scan what the model answers (JSON and streams): off, monitor (record), redact (mask), block (end the answer with an error).'),
  hold_chars: z.number().int().min(8).max(4096).default(32)
    .describe('Characters a stream holds back at the end of each channel so a value split across chunks is still caught (plus the unfinished word).'),
});

export const firewallOptions = z.strictObject({
  mode: z.enum(firewallModes).default('monitor')
    .describe('monitor: record findings, change nothing; enforce: refuse requests with findings; redact: replace values with placeholders.'),
  restore: z.boolean().default(true)
    .describe('redact: put the original values back where the answer (JSON or stream) repeats a placeholder.'),
  output: outputSchema.prefault({}),
  header: z.boolean().default(true)
    .describe('Add `x-sluice-firewall: TYPE=count,…` to responses of requests with findings.'),
  max_scan_chars: z.number().int().min(0).default(1_000_000)
    .describe('Characters of request text scanned per request (texts the cache already knows are free); beyond it enforce and redact refuse (413), monitor lets the rest through unscanned. 0: no limit.'),
  cache_entries: z.number().int().min(0).max(1_000_000).default(20_000)
    .describe('Segments whose findings are remembered by hash (0: none), so a resent conversation is not scanned again.'),
  secrets: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
  pii: z.strictObject({
    enabled: z.boolean().default(true),
    ignore_private_ips: z.boolean().default(true)
      .describe('Drop private, loopback, link-local, CGNAT, benchmarking and documentation IP ranges (default); false reports them at score 0.6.'),
  }).prefault({}),
  min_score: score.default(0.5).describe('Findings below this score are dropped.'),
  entities: z.record(z.string().meta({ expected: 'entity types' }), entitySetting).default({})
    .describe('Per entity type: `false` to disable, or `{ enabled, min_score, action }`.'),
  custom: z.array(customPatternSchema).default([]),
  allowlist: z.strictObject({
    values: z.array(z.string()).default([])
      .describe('Exact values never reported (e.g. a public test card, a support address).'),
    patterns: z.array(re2Pattern).default([]).describe('Patterns (RE2) a whole finding must match to be dropped.'),
  }).prefault({}),
  presidio: presidioSchema.optional(),
}).superRefine((o, ctx) => {
  // A key no detector reports would silently do nothing (an operator reading `AWS_ACCESS_KEY: block`
  // believes keys are blocked), so it is refused, pointing at the key.
  const names = new EntityNames({ custom: o.custom, presidio: o.presidio !== undefined });
  const seen = new Map<string, string>();
  for (const key of Object.keys(o.entities)) {
    const type = names.canonical(key);
    if (type === undefined) {
      ctx.addIssue({ code: 'custom', path: ['entities', key], input: key, message: names.unknown(key) });
      continue;
    }
    const earlier = seen.get(type);
    if (earlier !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['entities', key], input: key, message: `expected one setting per entity type: "${key}" and "${earlier}" both name ${type}` });
    }
    seen.set(type, key);
  }
}).transform((o) => {
  // Aliases become the type findings carry, so policy, detection, headers and logs use one name.
  const names = new EntityNames({ custom: o.custom, presidio: o.presidio !== undefined });
  const entities: typeof o.entities = {};
  for (const [key, setting] of Object.entries(o.entities)) entities[names.canonical(key) ?? key] = setting;
  return { ...o, entities };
});

export type FirewallOptions = z.output<typeof firewallOptions>;
export type CustomPattern = z.output<typeof customPatternSchema>;
export type PresidioOptions = z.output<typeof presidioSchema>;
export type EntitySetting = z.output<typeof entitySetting>;
export type OutputOptions = z.output<typeof outputSchema>;
