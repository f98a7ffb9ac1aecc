// Provider token shapes, part 1: AI model vendors and cloud platforms.
// Each entry is data: type, literal gate, RE2 pattern (String.raw keeps backslashes readable).
import type { RuleSpec } from '../types.js';
import { keyed, provider } from './provider-rule.js';
import { looksFake } from '../validators/entropy.js';

const r = String.raw;
const B64 = 'A-Za-z0-9+/';

export const AI_AND_CLOUD_PROVIDERS: RuleSpec[] = [
  // OpenAI: project / service-account / admin keys, and the legacy 48-character shape (with or without the T3BlbkFJ marker).
  provider('OPENAI_API_KEY', ['sk-'], r`\bsk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,250}`),
  provider('OPENAI_API_KEY', ['T3BlbkFJ'], r`\bsk-[A-Za-z0-9_-]{16,80}T3BlbkFJ[A-Za-z0-9_-]{16,80}`),
  provider('OPENAI_API_KEY', ['sk-'], r`\bsk-[A-Za-z0-9]{48}\b`),
  provider('ANTHROPIC_API_KEY', ['sk-ant-'], r`\bsk-ant-(?:api|admin|oat|sid)\d{2}-[A-Za-z0-9_-]{40,120}`),
  provider('OPENROUTER_API_KEY', ['sk-or-'], r`\bsk-or-v1-[a-f0-9]{64}\b`),
  provider('DEEPSEEK_API_KEY', ['sk-'], r`\bsk-[a-f0-9]{32}\b`, { score: 0.8 }),
  provider('GROQ_API_KEY', ['gsk_'], r`\bgsk_[A-Za-z0-9]{52}\b`),
  provider('XAI_API_KEY', ['xai-'], r`\bxai-[A-Za-z0-9]{70,90}\b`),
  provider('PERPLEXITY_API_KEY', ['pplx-'], r`\bpplx-[A-Za-z0-9]{48,56}\b`),
  provider('HUGGINGFACE_TOKEN', ['hf_', 'api_org_'], r`\b(?:hf_|api_org_)[A-Za-z0-9]{34,40}\b`),
  provider('REPLICATE_API_TOKEN', ['r8_'], r`\br8_[A-Za-z0-9]{37}\b`),
  provider('LANGSMITH_API_KEY', ['lsv2_'], r`\blsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\b`),
  provider('PINECONE_API_KEY', ['pcsk_'], r`\bpcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{50,80}\b`),
  provider('CEREBRAS_API_KEY', ['csk-'], r`\bcsk-[a-z0-9]{48}\b`),
  provider('FIREWORKS_API_KEY', ['fw_'], r`\bfw_[A-Za-z0-9]{24,48}\b`, { score: 0.85 }),
  keyed('TOGETHER_API_KEY', 'together', '[a-f0-9]{64}', ['together']),
  provider('TOGETHER_API_KEY', ['tgp_v1_'], r`\btgp_v1_[A-Za-z0-9_-]{40,50}`),
  // ElevenLabs: sk_ + 48 hex (older keys are 32 hex, see providers-context.ts). Stripe's sk_live_/sk_test_ are not hex.
  provider('ELEVENLABS_API_KEY', ['sk_'], r`\bsk_[a-f0-9]{48}\b`, { score: 0.9 }),
  // Mistral, Cohere: no prefix (providers-context.ts).

  // AWS: access key ids by their documented prefixes (base32 body); secret keys only beside their name.
  provider('AWS_ACCESS_KEY_ID', ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'], r`\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\b`, {
    check: (c) => !c.value.endsWith('EXAMPLE'),
  }),
  // Secret access keys have no prefix: providers-context.ts reports them beside an access key id or their name.
  keyed('AWS_SESSION_TOKEN', r`aws[_-]?session[_-]?token`, `[${B64}=]{100,}`, ['session_token', 'sessiontoken']),
  // Google: API keys (Maps, Gemini, Firebase), OAuth client secrets and access tokens.
  provider('GOOGLE_API_KEY', ['AIza'], r`\bAIza[0-9A-Za-z_-]{35}`),
  provider('GOOGLE_OAUTH_CLIENT_SECRET', ['GOCSPX-'], r`\bGOCSPX-[A-Za-z0-9_-]{28}`),
  provider('GOOGLE_OAUTH_TOKEN', ['ya29.'], r`\bya29\.[0-9A-Za-z_-]{30,}`),
  // Azure: storage account keys in connection strings, Entra ID client secrets (the "Q~" marker), SAS signatures.
  provider('AZURE_STORAGE_KEY', ['AccountKey='], r`AccountKey=([${B64}]{86}==)`, { group: 1 }),
  provider('AZURE_CLIENT_SECRET', ['Q~'], r`\b[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}`),
  provider('AZURE_SAS_TOKEN', ['sig='], r`[?&]sv=\d{4}-\d{2}-\d{2}&[^\s"'<>]*?\bsig=([A-Za-z0-9%+/]{43,}(?:%3D|=)*)`, { group: 1, score: 0.85 }),
  keyed('AZURE_OPENAI_API_KEY', r`azure[_-]?(?:openai|cognitive|ai)[_-]?(?:api[_-]?)?key`, '[a-f0-9]{32}|[A-Za-z0-9]{84}', ['azure']),
  // Platforms.
  provider('DIGITALOCEAN_TOKEN', ['dop_v1_', 'doo_v1_', 'dor_v1_'], r`\bdo[opr]_v1_[a-f0-9]{64}\b`),
  provider('HEROKU_API_KEY', ['HRKU-'], r`\bHRKU-[A-Za-z0-9_-]{60}`),
  keyed('HEROKU_API_KEY', r`heroku[_-]?(?:api[_-]?)?(?:key|token)`, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', ['heroku']),
  provider('ALIBABA_ACCESS_KEY_ID', ['LTAI'], r`\bLTAI[A-Za-z0-9]{20}\b`),
  provider('CLOUDFLARE_ORIGIN_CA_KEY', ['v1.0-'], r`\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b`),
  // Cloudflare's scannable credentials: cfk_ (global API key), cfut_ (user token), cfat_ (account token) + 40 + checksum.
  provider('CLOUDFLARE_API_TOKEN', ['cfut_', 'cfat_'], r`\bcf(?:ut|at)_[A-Za-z0-9]{40,56}\b`),
  provider('CLOUDFLARE_API_KEY', ['cfk_'], r`\bcfk_[A-Za-z0-9]{40,56}\b`),
  // Tailscale: tskey-{auth,api,client,scim,webhook}-<key id, e.g. k…CNTRL>-<secret>; older keys have no type.
  provider('TAILSCALE_KEY', ['tskey-'], r`\btskey-(?:[a-z]+-)?[A-Za-z0-9]{4,}-[A-Za-z0-9]{16,}`, {
    check: (c) => !looksFake(c.value.slice(c.value.lastIndexOf('-') + 1)),
  }),
  provider('FLY_IO_TOKEN', ['fo1_', 'FlyV1 fm'], r`\b(?:fo1_[A-Za-z0-9_-]{43}|FlyV1 fm\d_[A-Za-z0-9+/=_,-]{100,})`),
  provider('NETLIFY_TOKEN', ['nfp_'], r`\bnfp_[A-Za-z0-9]{36}\b`),
  provider('VERCEL_TOKEN', ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'], r`\bvc[pikar]_[A-Za-z0-9]{56}\b`),
  provider('SUPABASE_TOKEN', ['sbp_', 'sb_secret_'], r`\b(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{30,})`),
  provider('PLANETSCALE_TOKEN', ['pscale_'], r`\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}`),
  provider('DATABRICKS_TOKEN', ['dapi', 'dose'], r`\bd(?:api|ose)[a-f0-9]{32}(?:-\d)?\b`),
  provider('HASHICORP_VAULT_TOKEN', ['hvs.', 'hvb.', 'hvr.'], r`\bhv[sbr]\.[A-Za-z0-9_-]{24,}`),
  keyed('HASHICORP_VAULT_TOKEN', r`vault[_-]?token`, r`s\.[A-Za-z0-9]{24}`, ['vault']),
  provider('TERRAFORM_CLOUD_TOKEN', ['.atlasv1.'], r`\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}`, { trigger: r`\.atlasv1\.` }),
  provider('PULUMI_ACCESS_TOKEN', ['pul-'], r`\bpul-[a-f0-9]{40}\b`),
  // Service tokens carry their config's name: dp.st.prd.<40–44>; the others do not.
  provider('DOPPLER_TOKEN', ['dp.'], r`\bdp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,44}\b`, {
    randomPart: (value) => value.slice(value.lastIndexOf('.') + 1),
  }),
  provider('AGE_SECRET_KEY', ['AGE-SECRET-KEY-1'], r`\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b`),
];
