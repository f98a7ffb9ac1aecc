// The entity names `entities:` accepts, and the one name each stands for.
//
// Findings are reported under the built-in detectors' own type names (Presidio's where one exists),
// so headers, logs, metrics and the ledger read the same whatever spelling a config used and across
// instances with different configs. Users write other spellings (the firewall issue's own example
// says `AWS_ACCESS_KEY`), so those are aliases resolved once, at option parsing: after it, every
// key of `entities` is a type a finding can carry. A name that is none of these would silently do
// nothing (the detectors never report it), so it is a config error instead.
//
// BUILT_IN_ENTITY_TYPES is written out rather than gathered from the detector tables: validating a
// config must not load ~30 detector modules. A test checks it against the tables.

/** Every type the built-in detectors (secrets and pii) can report. */
export const BUILT_IN_ENTITY_TYPES: readonly string[] = [
  'AGE_SECRET_KEY', 'AIRTABLE_TOKEN', 'ALIBABA_ACCESS_KEY_ID', 'ANTHROPIC_API_KEY', 'API_KEY_HEADER',
  'ARTIFACTORY_API_KEY', 'ATLASSIAN_API_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AZURE_CLIENT_SECRET', 'AZURE_OPENAI_API_KEY', 'AZURE_SAS_TOKEN', 'AZURE_STORAGE_KEY', 'BEARER_TOKEN',
  'BITBUCKET_APP_PASSWORD', 'BRAINTREE_ACCESS_TOKEN', 'BR_CPF', 'CA_SIN', 'CEREBRAS_API_KEY', 'CIRCLECI_TOKEN',
  'CLOJARS_TOKEN', 'CLOUDFLARE_API_KEY', 'CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ORIGIN_CA_KEY', 'CN_RESIDENT_ID',
  'COHERE_API_KEY', 'CONTENTFUL_TOKEN', 'CREDIT_CARD', 'CRYPTO', 'DATABASE_URL_WITH_PASSWORD', 'DATABRICKS_TOKEN',
  'DATADOG_API_KEY', 'DATADOG_APP_KEY', 'DEEPSEEK_API_KEY', 'DIGITALOCEAN_TOKEN', 'DISCORD_BOT_TOKEN',
  'DISCORD_WEBHOOK_URL', 'DOCKERHUB_TOKEN', 'DOPPLER_TOKEN', 'DROPBOX_TOKEN', 'DYNATRACE_TOKEN', 'EASYPOST_API_KEY',
  'ELEVENLABS_API_KEY', 'EMAIL_ADDRESS', 'ES_NIE', 'ES_NIF', 'FIGMA_TOKEN', 'FIREBASE_FCM_SERVER_KEY',
  'FIREWORKS_API_KEY', 'FLUTTERWAVE_SECRET_KEY', 'FLY_IO_TOKEN', 'FRAMEIO_TOKEN', 'GENERIC_SECRET', 'GITHUB_TOKEN',
  'GITLAB_TOKEN', 'GOOGLE_API_KEY', 'GOOGLE_OAUTH_CLIENT_SECRET', 'GOOGLE_OAUTH_TOKEN', 'GRAFANA_TOKEN', 'GROQ_API_KEY',
  'HASHICORP_VAULT_TOKEN', 'HEROKU_API_KEY', 'HTTP_BASIC_AUTH', 'HUGGINGFACE_TOKEN', 'IBAN_CODE', 'IN_AADHAAR',
  'IP_ADDRESS', 'JWT', 'LANGSMITH_API_KEY', 'LINEAR_API_KEY', 'MAC_ADDRESS', 'MAILCHIMP_API_KEY', 'MAILGUN_API_KEY',
  'MAPBOX_SECRET_TOKEN', 'MICROSOFT_TEAMS_WEBHOOK_URL', 'MISTRAL_API_KEY', 'NETLIFY_TOKEN', 'NEW_RELIC_KEY',
  'NOTION_TOKEN', 'NPM_TOKEN', 'NUGET_API_KEY', 'OKTA_API_TOKEN', 'ONEPASSWORD_SERVICE_TOKEN', 'OPENAI_API_KEY',
  'OPENROUTER_API_KEY', 'PERPLEXITY_API_KEY', 'PHONE_NUMBER', 'PINECONE_API_KEY', 'PLANETSCALE_TOKEN', 'POSTMAN_API_KEY',
  'POSTMARK_SERVER_TOKEN', 'PREFECT_API_KEY', 'PRIVATE_KEY', 'PULUMI_ACCESS_TOKEN', 'PYPI_TOKEN', 'RAZORPAY_KEY',
  'REPLICATE_API_TOKEN', 'RUBYGEMS_API_KEY', 'SENDGRID_API_KEY', 'SENTRY_AUTH_TOKEN', 'SESSION_COOKIE',
  'SHIPPO_API_TOKEN', 'SHOPIFY_TOKEN', 'SLACK_TOKEN', 'SLACK_WEBHOOK_URL', 'SOURCEGRAPH_TOKEN', 'SQUARE_ACCESS_TOKEN',
  'SQUARE_OAUTH_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'SUPABASE_TOKEN', 'TAILSCALE_KEY',
  'TELEGRAM_BOT_TOKEN', 'TERRAFORM_CLOUD_TOKEN', 'TOGETHER_API_KEY', 'TWILIO_ACCOUNT_SID', 'TWILIO_API_KEY',
  'TWILIO_AUTH_TOKEN', 'TYPEFORM_TOKEN', 'UK_NHS', 'URL_CREDENTIALS', 'US_SSN', 'VERCEL_TOKEN', 'XAI_API_KEY',
];

/** Spellings people write for a built-in type, where the common one differs from the type's name. */
export const ENTITY_ALIASES: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY: 'AWS_ACCESS_KEY_ID',
  AWS_SECRET_KEY: 'AWS_SECRET_ACCESS_KEY',
  EMAIL: 'EMAIL_ADDRESS',
  PHONE: 'PHONE_NUMBER',
  CREDIT_CARD_NUMBER: 'CREDIT_CARD',
  IBAN: 'IBAN_CODE',
  IP: 'IP_ADDRESS',
  SSN: 'US_SSN',
  NHS_NUMBER: 'UK_NHS',
  AADHAAR: 'IN_AADHAAR',
  CPF: 'BR_CPF',
  SIN: 'CA_SIN',
  DNI: 'ES_NIF',
  NIE: 'ES_NIE',
  SSH_PRIVATE_KEY: 'PRIVATE_KEY',
  RSA_PRIVATE_KEY: 'PRIVATE_KEY',
  JSON_WEB_TOKEN: 'JWT',
  BASIC_AUTH: 'HTTP_BASIC_AUTH',
  GITHUB_PAT: 'GITHUB_TOKEN',
  GITLAB_PAT: 'GITLAB_TOKEN',
  HF_TOKEN: 'HUGGINGFACE_TOKEN',
  HUGGING_FACE_TOKEN: 'HUGGINGFACE_TOKEN',
  STRIPE_API_KEY: 'STRIPE_SECRET_KEY',
  GCP_API_KEY: 'GOOGLE_API_KEY',
  SLACK_BOT_TOKEN: 'SLACK_TOKEN',
};

const BUILT_IN = new Set(BUILT_IN_ENTITY_TYPES);

/**
 * Presidio's own recognizers' entity names. Accepted without a sidecar too — a policy written for
 * one (or kept while it is switched off) is not a typo — though nothing reports them then.
 */
export const PRESIDIO_ENTITY_TYPES: readonly string[] = [
  'PERSON', 'LOCATION', 'ORGANIZATION', 'NRP', 'DATE_TIME', 'URL', 'MEDICAL_LICENSE', 'US_BANK_NUMBER', 'US_DRIVER_LICENSE',
  'US_ITIN', 'US_PASSPORT', 'UK_NINO', 'SG_NRIC_FIN', 'SG_UEN', 'AU_ABN', 'AU_ACN', 'AU_TFN', 'AU_MEDICARE', 'IN_PAN',
  'IN_VEHICLE_REGISTRATION', 'IN_VOTER', 'IN_PASSPORT', 'FI_PERSONAL_IDENTITY_CODE', 'IT_FISCAL_CODE', 'IT_DRIVER_LICENSE',
  'IT_VAT_CODE', 'IT_PASSPORT', 'IT_IDENTITY_CARD', 'PL_PESEL', 'KR_RRN', 'TH_TNIN',
];
const PRESIDIO_STANDARD = new Set(PRESIDIO_ENTITY_TYPES);
/** Presidio names its entities in upper snake case (PERSON, LOCATION, US_DRIVER_LICENSE). */
const PRESIDIO_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

export interface EntityNameContext {
  /** The `custom` patterns: each reports `type` (default: its name, upper-cased). */
  custom: readonly { name: string; type?: string | undefined }[];
  /** A Presidio sidecar is configured: it may report entities the built-ins do not know. */
  presidio: boolean;
}

/** The default type of a custom pattern: its name upper-cased, other characters as `_` (`employee-id` → EMPLOYEE_ID). */
export function typeFromName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** Resolves `entities:` keys against one config's custom patterns and sidecar. */
export class EntityNames {
  private readonly customTypes = new Map<string, string>();

  constructor(private readonly context: EntityNameContext) {
    for (const c of context.custom) {
      const type = c.type ?? typeFromName(c.name);
      this.customTypes.set(type, type);
      // The pattern's own name (`employee_id`) is what its author may write, too.
      this.customTypes.set(c.name, type);
      this.customTypes.set(c.name.toUpperCase(), type);
    }
  }

  /** The type a key stands for, or undefined when nothing can report it. */
  canonical(name: string): string | undefined {
    if (BUILT_IN.has(name)) return name;
    const custom = this.customTypes.get(name);
    if (custom !== undefined) return custom;
    const alias = Object.hasOwn(ENTITY_ALIASES, name) ? ENTITY_ALIASES[name] : undefined;
    if (alias !== undefined) return alias;
    if (PRESIDIO_STANDARD.has(name)) return name;
    if (this.context.presidio && PRESIDIO_NAME.test(name)) return name;
    return undefined;
  }

  /** The message for a key that names nothing: the names it could have been. */
  unknown(name: string): string {
    const upper = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
    const guess = upper !== name ? this.canonical(upper) : undefined;
    const custom = [...new Set(this.customTypes.values())];
    return `expected an entity type the firewall can report, got "${name}"`
      + (guess ? ` (did you mean ${upper}?)` : '')
      + (this.context.presidio ? '; with a Presidio sidecar, its entity names in upper case (PERSON, LOCATION) are accepted too' : '')
      + `; known: ${[...BUILT_IN_ENTITY_TYPES, ...custom].join(', ')}; Presidio's: ${PRESIDIO_ENTITY_TYPES.join(', ')}; aliases: ${Object.keys(ENTITY_ALIASES).join(', ')}`;
  }
}
