// The marketplace wire protocol (docs/marketplace.md): what Sluice sends and how it reads the
// answers. Answers are validated: a marketplace is another party, and one malformed offer must not
// stop the others from being used.
import { z } from '../../core/index.js';

export type Direction = 'consumed' | 'supplied';

/** One usage record as POST /v1/usage carries it; `id` is one request's own (record-id.ts), the request id when the gateway minted it. */
export interface UsageRecord {
  id: string;
  /** ISO 8601 time the request arrived. */
  time: string;
  /** Null only with `report: all`, for requests that did not involve the marketplace. */
  direction: Direction | null;
  offer_id: string | null;
  provider: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number | null;
}

const ids = z.array(z.string()).default([]);
export const usageAnswer = z.object({ accepted: ids, duplicates: ids });
export type UsageAnswer = z.output<typeof usageAnswer>;

const usd = z.number().min(0);
export const offerSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/),
  seller: z.string().optional(),
  models: z.array(z.string().min(1)).min(1),
  protocol: z.enum(['openai', 'anthropic', 'gemini']),
  base_url: z.string().regex(/^https?:\/\/[^\s]+$/),
  api_key: z.string().optional(),
  price: z.object({ input: usd, output: usd, cached_read: usd.optional(), cache_write: usd.optional() }),
  capacity: z.object({ rpm: z.number().optional(), tpm: z.number().optional() }).optional(),
  // An expiry that does not read as a time refuses the offer: taken as none, the offer would be
  // bought for ever, past whatever the seller meant.
  expires_at: z.string().refine((t) => Number.isFinite(Date.parse(t)), 'expected an ISO 8601 time').optional(),
});
export type Offer = z.output<typeof offerSchema>;

/** Whether an answer is a catalogue at all: an object with an `offers` list (empty when nothing is offered). */
export function isCatalogue(body: unknown): body is { offers: unknown[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { offers?: unknown }).offers);
}

/** The catalogue's offers that parse; the others are returned as reasons, to be logged. */
export function readOffers(body: unknown): { offers: Offer[]; rejected: string[] } {
  if (!isCatalogue(body)) return { offers: [], rejected: ['the answer has no "offers" list'] };
  const list = body.offers;
  const offers: Offer[] = [];
  const rejected: string[] = [];
  for (const [i, raw] of list.entries()) {
    const parsed = offerSchema.safeParse(raw);
    if (parsed.success) offers.push(parsed.data);
    else rejected.push(`offers[${i}]: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
  }
  return { offers, rejected };
}

/** Epoch ms of an offer's expiry, undefined when it has none (an unreadable one is refused by offerSchema). */
export function expiresAt(offer: Offer): number | undefined {
  if (!offer.expires_at) return undefined;
  const t = Date.parse(offer.expires_at);
  return Number.isFinite(t) ? t : undefined;
}
