// Provider token shapes, part 2: code hosting, messaging, payments, observability and SaaS APIs.
import type { Candidate, RuleSpec } from '../types.js';
import { keyed, provider } from './provider-rule.js';
import { isTokenCharAt } from '../context.js';

const r = String.raw;

/**
 * The end of a fixed-length token whose alphabet has `-`: nothing of the alphabet follows. A trailing
 * `\b` cannot say it: after a last character `-` (one token in 64) followed by a space or the end of
 * the text there is no word boundary, and the token was missed.
 */
const endsToken = (c: Candidate): boolean => !isTokenCharAt(c.text, c.end);

/** Discord bot tokens start with the base64 of the bot's numeric user id. */
function discordIdPart(value: string): boolean {
  const first = value.slice(0, value.indexOf('.'));
  const decoded = Buffer.from(first, 'base64').toString('latin1');
  if (decoded.length < 17 || decoded.length > 20) return false;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export const DEV_AND_SAAS_PROVIDERS: RuleSpec[] = [
  // GitHub: classic PAT, OAuth, user-to-server, server-to-server (app installation) and refresh tokens; fine-grained PATs.
  provider('GITHUB_TOKEN', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], r`\bgh[pousr]_[A-Za-z0-9]{36,251}\b`),
  provider('GITHUB_TOKEN', ['github_pat_'], r`\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b`),
  // GitLab: personal/project/group, deploy, runner, pipeline-trigger, feed, OAuth app, SCIM, CI build tokens.
  provider('GITLAB_TOKEN', ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glft-', 'glsoat-', 'glcbt-', 'glimt-', 'glagent-', 'gloas-'],
    r`\b(?:glpat|gldt|glrt|glptt|glft|glsoat|glcbt|glimt|glagent|gloas)-[A-Za-z0-9_.-]{20,}`),
  provider('GITLAB_TOKEN', ['GR1348941'], r`\bGR1348941[A-Za-z0-9_-]{20}`, { check: endsToken }),
  provider('BITBUCKET_APP_PASSWORD', ['ATBB'], r`\bATBB[A-Za-z0-9_=.-]{28,}`),
  provider('ATLASSIAN_API_TOKEN', ['ATATT3', 'ATCTT3'], r`\bAT[AC]TT3[A-Za-z0-9_=-]{150,}`),
  // Messaging.
  provider('SLACK_TOKEN', ['xox'], r`\bxox[abposre]-(?:\d+-)?[0-9A-Za-z-]{10,}`),
  provider('SLACK_TOKEN', ['xapp-'], r`\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{32,}\b`),
  provider('SLACK_WEBHOOK_URL', ['hooks.slack.com'], r`https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{30,}`),
  provider('DISCORD_WEBHOOK_URL', ['/api/webhooks/'], r`https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_-]{60,68}`),
  // Triggers (RuleSpec.trigger) for shapes without a literal prefix: a 23–36 character counter over a
  // common alphabet in the engine's combined RE2.Set makes its DFA thrash on key-dense text.
  provider('DISCORD_BOT_TOKEN', ['.'], r`\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}\b`, {
    trigger: r`\.[A-Za-z0-9_-]{6}\.`,
    check: (c) => discordIdPart(c.value),
  }),
  provider('TELEGRAM_BOT_TOKEN', [':AA'], r`\b\d{8,10}:AA[A-Za-z0-9_-]{33}`, { check: endsToken }),
  provider('TWILIO_API_KEY', ['SK'], r`\bSK[0-9a-f]{32}\b`, { score: 0.85 }),
  provider('TWILIO_ACCOUNT_SID', ['AC'], r`\bAC[0-9a-f]{32}\b`, { score: 0.7 }),
  // Twilio auth tokens (32 hex, no prefix): providers-context.ts.
  provider('SENDGRID_API_KEY', ['SG.'], r`\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}`, { check: endsToken }),
  provider('MAILGUN_API_KEY', ['key-'], r`\bkey-[0-9a-f]{32}\b`, { score: 0.85 }),
  // Mailgun's current private/sending keys: 32 hex, 8 hex, 8 hex (the public validation key is pubkey-…).
  provider('MAILGUN_API_KEY', [], r`\b[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}\b`, { score: 0.9, trigger: r`[0-9a-f]-[0-9a-f]{8}-[0-9a-f]{8}\b` }),
  provider('MAILCHIMP_API_KEY', ['-us'], r`\b[0-9a-f]{32}-us\d{1,2}\b`, { trigger: r`[0-9a-f]-us\d{1,2}\b` }),
  provider('POSTMARK_SERVER_TOKEN', [], r`(?i)postmark[A-Za-z0-9_.-]{0,24}["']?\s*[:=]\s*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`, { keywords: ['postmark'], group: 1, score: 0.85 }),
  // Payments.
  provider('STRIPE_SECRET_KEY', ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'], r`\b[rs]k_(?:live|test)_[A-Za-z0-9]{20,247}\b`),
  provider('STRIPE_WEBHOOK_SECRET', ['whsec_'], r`\bwhsec_[A-Za-z0-9+/=]{32,}`),
  provider('SQUARE_ACCESS_TOKEN', ['EAAA', 'sq0atp-'], r`\b(?:EAAA[A-Za-z0-9_-]{60}|sq0atp-[0-9A-Za-z_-]{22})`, { check: endsToken }),
  provider('SQUARE_OAUTH_SECRET', ['sq0csp-'], r`\bsq0csp-[0-9A-Za-z_-]{43}`, { check: endsToken }),
  provider('SHOPIFY_TOKEN', ['shpat_', 'shpca_', 'shppa_', 'shpss_'], r`\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b`),
  provider('RAZORPAY_KEY', ['rzp_live_', 'rzp_test_'], r`\brzp_(?:live|test)_[A-Za-z0-9]{14}\b`, { score: 0.8 }),
  // access_token$production$<merchant id>$<32 hex>: the `$`s are its structure, the hex its secret.
  provider('BRAINTREE_ACCESS_TOKEN', ['access_token$'], r`access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}\b`, {
    randomPart: (value) => value.slice(value.lastIndexOf('$') + 1),
  }),
  provider('SHIPPO_API_TOKEN', ['shippo_'], r`\bshippo_(?:live|test)_[a-f0-9]{40}\b`),
  // Package registries and CI.
  provider('NPM_TOKEN', ['npm_'], r`\bnpm_[A-Za-z0-9]{36}\b`),
  provider('PYPI_TOKEN', ['pypi-'], r`\bpypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}`),
  provider('DOCKERHUB_TOKEN', ['dckr_pat_', 'dckr_oat_'], r`\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}`),
  provider('CIRCLECI_TOKEN', ['CCIPAT_'], r`\bCCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}\b`),
  provider('POSTMAN_API_KEY', ['PMAK-'], r`\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b`),
  // Observability.
  provider('SENTRY_AUTH_TOKEN', ['sntrys_', 'sntryu_'], r`\b(?:sntrys_eyJ[A-Za-z0-9+/=_]{50,}|sntryu_[a-f0-9]{64})`),
  // Datadog API (32 hex) and application (40 hex) keys have no prefix: providers-context.ts. Newer application keys do.
  provider('DATADOG_APP_KEY', ['ddapp_'], r`\bddapp_[A-Za-z0-9]{30,40}\b`),
  provider('NEW_RELIC_KEY', ['NRAK-', 'NRII-', 'NRJS-', 'NRAL'], r`\b(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19}|[a-f0-9]{36}NRAL)`, { trigger: r`NRAK-|NRII-|NRJS-|[a-f0-9]NRAL\b`, check: endsToken }),
  provider('GRAFANA_TOKEN', ['glc_', 'glsa_'], r`\b(?:glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[a-f0-9]{8})`),
  provider('DYNATRACE_TOKEN', ['dt0c01.'], r`\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b`),
  // Productivity and other SaaS.
  provider('LINEAR_API_KEY', ['lin_api_', 'lin_oauth_'], r`\blin_(?:api_[A-Za-z0-9]{40}|oauth_[a-f0-9]{64})\b`),
  provider('NOTION_TOKEN', ['secret_', 'ntn_'], r`\b(?:secret_[A-Za-z0-9]{43}|ntn_\d{11}[A-Za-z0-9]{35})\b`),
  provider('AIRTABLE_TOKEN', ['pat'], r`\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b`),
  provider('FIGMA_TOKEN', ['figd_'], r`\bfigd_[A-Za-z0-9_-]{40}`),
  provider('MAPBOX_SECRET_TOKEN', ['sk.eyJ'], r`\bsk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}`),
  provider('ONEPASSWORD_SERVICE_TOKEN', ['ops_eyJ'], r`\bops_eyJ[A-Za-z0-9+/=_-]{100,}`),
  provider('CONTENTFUL_TOKEN', ['CFPAT-'], r`\bCFPAT-[A-Za-z0-9_-]{43}`, { check: endsToken }),
  provider('TYPEFORM_TOKEN', ['tfp_'], r`\btfp_[A-Za-z0-9_.=-]{59}`, { check: endsToken }),
  provider('DROPBOX_TOKEN', ['sl.'], r`\bsl\.(?:u\.)?[A-Za-z0-9_=-]{130,}`, { randomPart: (value) => value.slice(value.lastIndexOf('.') + 1) }),
  provider('FRAMEIO_TOKEN', ['fio-u-'], r`\bfio-u-[A-Za-z0-9_=-]{64}`, { check: endsToken }),
  // Messaging and push.
  provider('MICROSOFT_TEAMS_WEBHOOK_URL', ['.webhook.office.com/webhookb2/', 'outlook.office.com/webhook/'],
    r`https://(?:[a-z0-9-]+\.webhook\.office\.com/webhookb2|outlook\.office\.com/webhook)/[a-f0-9-]{36}@[a-f0-9-]{36}/IncomingWebhook/[a-f0-9]{32}/[a-f0-9-]{36}`,
    { randomPart: (value) => value.slice(value.indexOf('/IncomingWebhook/') + 16, value.lastIndexOf('/')) }),
  provider('FIREBASE_FCM_SERVER_KEY', [':APA91b'], r`\bAAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134}`, { check: endsToken }),
  // More package registries and CI.
  provider('RUBYGEMS_API_KEY', ['rubygems_'], r`\brubygems_[a-f0-9]{48}\b`),
  provider('NUGET_API_KEY', ['oy2'], r`\boy2[a-z0-9]{43}\b`),
  provider('CLOJARS_TOKEN', ['CLOJARS_'], r`\bCLOJARS_[a-z0-9]{60}\b`),
  provider('ARTIFACTORY_API_KEY', ['AKCp'], r`\bAKCp[A-Za-z0-9]{69}\b`),
  provider('SOURCEGRAPH_TOKEN', ['sgp_'], r`\bsgp_(?:local_|[a-f0-9]{16}_)?[a-f0-9]{40}\b`, { randomPart: (value) => value.slice(-40) }),
  provider('PREFECT_API_KEY', ['pnu_'], r`\bpnu_[A-Za-z0-9]{36}\b`),
  // Payments and shipping.
  provider('FLUTTERWAVE_SECRET_KEY', ['FLWSECK'], r`\bFLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X\b`, { randomPart: (value) => value.slice(value.indexOf('-') + 1, -2) }),
  provider('EASYPOST_API_KEY', ['EZAK', 'EZTK'], r`\bEZ[AT]K[A-Za-z0-9]{54}\b`),
  // Identity: Okta API tokens go in `Authorization: SSWS <token>`.
  provider('OKTA_API_TOKEN', ['SSWS'], r`\bSSWS[ \t]+(00[A-Za-z0-9_-]{40})`, { group: 1, check: endsToken }),
];
