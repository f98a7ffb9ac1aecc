// parseOptions: zod does the checking; Sluice words the errors (option path, what was expected,
// what it got) and keeps the two YAML rules it always had (empty = unset, spelled-out numbers).
import { expect } from 'chai';
import { parseOptions, SchemaError, z } from '../../core/index.js';

function problems(schema: z.ZodType, value: unknown): string[] {
  try {
    parseOptions(schema, value);
  } catch (err) {
    if (err instanceof SchemaError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected the value to be refused');
}

describe('options parsing (zod)', () => {
  const server = z.strictObject({
    port: z.number().int().min(0).max(65535).default(8081),
    open: z.boolean().default(false),
    name: z.string().min(1).optional(),
    limits: z.strictObject({ rps: z.number().min(1).default(10) }).prefault({}),
  });

  it('applies defaults, nested mappings included, for an empty mapping', () => {
    expect(parseOptions(server, {})).to.deep.equal({ port: 8081, open: false, limits: { rps: 10 } });
  });

  it('takes the strings ${VAR} expansion produces where a number or boolean is asked for', () => {
    expect(parseOptions(server, { port: '9000', open: 'true', limits: { rps: ' 2.5 ' } })).to.deep.include({ port: 9000, open: true, limits: { rps: 2.5 } });
    expect(problems(server, { port: 'abc' })).to.deep.equal(['port: expected an integer from 0 to 65535, got "abc"']);
    expect(problems(server, { port: '' })).to.deep.equal(['port: expected an integer from 0 to 65535, got ""']);
    expect(problems(server, { port: '8080.5' })).to.deep.equal(['port: expected an integer from 0 to 65535, got 8080.5']);
    expect(problems(server, { open: 'yes' })).to.deep.equal(['open: expected true or false, got "yes"']);
  });

  it('does not change the value it was given', () => {
    const given = { port: '9000', name: null };
    parseOptions(server, given);
    expect(given).to.deep.equal({ port: '9000', name: null });
  });

  it('counts an empty value as unset, unless the schema takes null', () => {
    expect(parseOptions(server, { port: null, limits: null, name: null })).to.deep.equal({ port: 8081, open: false, limits: { rps: 10 } });
    expect(parseOptions(z.strictObject({ note: z.string().nullable() }), { note: null })).to.deep.equal({ note: null });
    expect(problems(z.strictObject({ use: z.string().min(1) }), { use: null })).to.deep.equal(['use: expected a non-empty string, got nothing']);
  });

  it('names unknown keys and lists the known ones, suggesting the one a typo most likely meant', () => {
    expect(problems(server, { prot: 1 })).to.deep.equal(['prot: expected no option "prot" (did you mean "port"? known: port, open, name, limits)']);
    expect(problems(server, { limits: { rsp: 1 } })).to.deep.equal(['limits.rsp: expected no option "rsp" (did you mean "rps"? known: rps)']);
    // Case and - for _ are the commonest slips; a key far from every known one gets no guess.
    expect(problems(server, { Name: 'x' })).to.deep.equal(['Name: expected no option "Name" (did you mean "name"? known: port, open, name, limits)']);
    expect(problems(z.strictObject({ base_url: z.string().optional() }), { 'base-url': 'x' })).to.deep.equal(['base-url: expected no option "base-url" (did you mean "base_url"? known: base_url)']);
    expect(problems(server, { colour: 1 })).to.deep.equal(['colour: expected no option "colour" (known: port, open, name, limits)']);
    expect(problems(server, { prot: 1, opne: 1 })).to.deep.equal(['prot: expected no options "prot", "opne" (known: port, open, name, limits)']);
  });

  it('reports every problem, one per line, in the order of the schema', () => {
    expect(problems(server, { port: -1, open: 3, limits: { rps: 0 } })).to.deep.equal([
      'port: expected an integer from 0 to 65535, got -1',
      'open: expected true or false, got 3',
      'limits.rps: expected a number >= 1, got 0',
    ]);
  });

  it('for a union, reports the alternative that matched the outer shape', () => {
    const trust = z.strictObject({ trust: z.union([z.boolean(), z.strictObject({ hops: z.number().int().min(1).max(16) })]) });
    expect(problems(trust, { trust: { hops: 99 } })).to.deep.equal(['trust.hops: expected an integer from 1 to 16, got 99']);
    expect(problems(trust, { trust: 'maybe' })).to.deep.equal(['trust: expected true or false, or a mapping with hops, got "maybe"']);
  });

  it('uses `.meta({ expected })`, and keeps a message the schema author wrote', () => {
    const header = z.strictObject({
      header: z.string().regex(/^[a-z-]+$/).meta({ expected: 'a lower-case header name' }),
      slug: z.string().refine((s) => s === s.toLowerCase(), 'must be lower case'),
    });
    expect(problems(header, { header: 'X Bad', slug: 'Up' })).to.deep.equal([
      'header: expected a lower-case header name, got "X Bad"',
      'slug: must be lower case',
    ]);
  });

  it('leaves zod\'s own messages alone outside option parsing', () => {
    const r = z.number().safeParse('x');
    expect(r.success).to.equal(false);
    expect(r.error!.issues[0]!.message).to.not.match(/^expected/);
  });
});
