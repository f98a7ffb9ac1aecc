import { expect } from 'chai';
import { ALNUM, BASE32, HEX, LOWER_ALNUM, UPPER_ALNUM, expectFound, expectNothing, fake, scan } from './helpers.js';
import { SECRET_TYPES } from '../../../plugins/firewall/detectors/secrets.js';

const b64url = (s: string) => Buffer.from(s).toString('base64url');
const UR = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const uuid = () => `${fake(8, HEX)}-${fake(4, HEX)}-${fake(4, HEX)}-${fake(4, HEX)}-${fake(12, HEX)}`;

// [type, secret] — each secret is embedded in prose and in code below.
const TOKENS: Array<[string, string]> = [
  ['OPENAI_API_KEY', 'sk-' + 'proj-' + fake(74, UR) + 'T3Blbk' + 'FJ' + fake(74, UR)],
  ['OPENAI_API_KEY', 'sk-' + 'svcacct-' + fake(60, UR)],
  ['OPENAI_API_KEY', 'sk-' + fake(20) + 'T3Blbk' + 'FJ' + fake(20)],
  ['OPENAI_API_KEY', 'sk-' + fake(48)],
  ['ANTHROPIC_API_KEY', 'sk-' + 'ant-api03-' + fake(93, UR) + 'AA'],
  ['ANTHROPIC_API_KEY', 'sk-' + 'ant-admin01-' + fake(80, UR)],
  ['OPENROUTER_API_KEY', 'sk-' + 'or-v1-' + fake(64, HEX)],
  ['GROQ_API_KEY', 'gsk' + '_' + fake(52)],
  ['XAI_API_KEY', 'xai' + '-' + fake(80)],
  ['PERPLEXITY_API_KEY', 'pplx' + '-' + fake(48)],
  ['HUGGINGFACE_TOKEN', 'hf' + '_' + fake(34, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')],
  ['REPLICATE_API_TOKEN', 'r8' + '_' + fake(37)],
  ['LANGSMITH_API_KEY', 'lsv2' + '_pt_' + fake(32, HEX) + '_' + fake(10, HEX)],
  ['AWS_ACCESS_KEY_ID', 'AKIA' + fake(16, BASE32)],
  ['AWS_ACCESS_KEY_ID', 'ASIA' + fake(16, BASE32)],
  ['GOOGLE_API_KEY', 'AIza' + fake(35, UR)],
  ['GOOGLE_OAUTH_CLIENT_SECRET', 'GOCSPX' + '-' + fake(28, UR)],
  ['GOOGLE_OAUTH_TOKEN', 'ya29' + '.' + fake(80, UR)],
  ['AZURE_CLIENT_SECRET', fake(3) + '8Q' + '~' + fake(34)],
  ['DIGITALOCEAN_TOKEN', 'dop' + '_v1_' + fake(64, HEX)],
  ['HEROKU_API_KEY', 'HRKU' + '-' + fake(60, UR)],
  ['SUPABASE_TOKEN', 'sbp' + '_' + fake(40, HEX)],
  ['PLANETSCALE_TOKEN', 'pscale' + '_tkn_' + fake(43, UR)],
  ['DATABRICKS_TOKEN', 'dapi' + fake(32, HEX)],
  ['HASHICORP_VAULT_TOKEN', 'hvs' + '.' + fake(90, UR)],
  ['TERRAFORM_CLOUD_TOKEN', fake(14) + '.atlas' + 'v1.' + fake(67, UR)],
  ['PULUMI_ACCESS_TOKEN', 'pul' + '-' + fake(40, HEX)],
  ['DOPPLER_TOKEN', 'dp' + '.pt.' + fake(43)],
  ['DOPPLER_TOKEN', 'dp' + '.st.prd.' + fake(43)],
  ['BRAINTREE_ACCESS_TOKEN', 'access_token' + '$production$' + fake(16, LOWER_ALNUM) + '$' + fake(32, HEX)],
  ['GITHUB_TOKEN', 'ghp' + '_' + fake(36)],
  ['GITHUB_TOKEN', 'ghs' + '_' + fake(36)],
  ['GITHUB_TOKEN', 'github' + '_pat_' + fake(22) + '_' + fake(59)],
  ['GITLAB_TOKEN', 'glpat' + '-' + fake(20, UR)],
  ['BITBUCKET_APP_PASSWORD', 'ATBB' + fake(32)],
  ['SLACK_TOKEN', 'xoxb' + '-' + fake(12, '0123456789') + '-' + fake(13, '0123456789') + '-' + fake(24)],
  ['SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/T' + fake(10, UPPER_ALNUM) + '/B' + fake(10, UPPER_ALNUM) + '/' + fake(24)],
  ['DISCORD_WEBHOOK_URL', 'https://discord.com/api/webhooks/' + '1' + fake(18, '0123456789') + '/' + fake(68, UR)],
  ['DISCORD_BOT_TOKEN', b64url('1' + fake(17, '0123456789')).replace(/=+$/, '') + '.' + fake(6, UR) + '.' + fake(38, UR)],
  ['TELEGRAM_BOT_TOKEN', fake(10, '123456789') + ':AA' + fake(33, UR)],
  ['TWILIO_API_KEY', 'SK' + fake(32, HEX)],
  ['SENDGRID_API_KEY', 'SG' + '.' + fake(22, UR) + '.' + fake(43, UR)],
  ['MAILGUN_API_KEY', 'key' + '-' + fake(32, HEX)],
  ['MAILCHIMP_API_KEY', fake(32, HEX) + '-us' + '14'],
  ['STRIPE_SECRET_KEY', 'sk' + '_live_' + fake(99)],
  ['STRIPE_SECRET_KEY', 'rk' + '_test_' + fake(24)],
  ['STRIPE_WEBHOOK_SECRET', 'whsec' + '_' + fake(32)],
  ['SQUARE_ACCESS_TOKEN', 'EAAA' + fake(60, UR)],
  ['SHOPIFY_TOKEN', 'shpat' + '_' + fake(32, HEX)],
  ['NPM_TOKEN', 'npm' + '_' + fake(36)],
  ['PYPI_TOKEN', 'pypi' + '-AgEIcHlwaS5vcmc' + fake(70, UR)],
  ['DOCKERHUB_TOKEN', 'dckr' + '_pat_' + fake(27, UR)],
  ['SENTRY_AUTH_TOKEN', 'sntryu' + '_' + fake(64, HEX)],
  ['NEW_RELIC_KEY', 'NRAK' + '-' + fake(27, UPPER_ALNUM)],
  ['GRAFANA_TOKEN', 'glsa' + '_' + fake(32) + '_' + fake(8, HEX)],
  ['LINEAR_API_KEY', 'lin' + '_api_' + fake(40)],
  ['NOTION_TOKEN', 'ntn' + '_' + fake(11, '0123456789') + fake(35)],
  ['FIGMA_TOKEN', 'figd' + '_' + fake(40, UR)],
  ['CONTENTFUL_TOKEN', 'CFPAT' + '-' + fake(43, UR)],
  ['TYPEFORM_TOKEN', 'tfp' + '_' + fake(44, UR) + '_' + fake(14, ALNUM)],
  ['DROPBOX_TOKEN', 'sl' + '.' + fake(138, UR)],
  ['FRAMEIO_TOKEN', 'fio' + '-u-' + fake(64, ALNUM)],
  ['MICROSOFT_TEAMS_WEBHOOK_URL', `https://acme.webhook.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/${fake(32, HEX)}/${uuid()}`],
  ['FIREBASE_FCM_SERVER_KEY', 'AAAA' + fake(7, UR) + ':APA91b' + fake(134, ALNUM)],
  ['RUBYGEMS_API_KEY', 'rubygems' + '_' + fake(48, HEX)],
  ['NUGET_API_KEY', 'oy2' + fake(43, LOWER_ALNUM)],
  ['CLOJARS_TOKEN', 'CLOJARS' + '_' + fake(60, LOWER_ALNUM)],
  ['ARTIFACTORY_API_KEY', 'AKCp' + fake(69)],
  ['SOURCEGRAPH_TOKEN', 'sgp' + '_' + fake(16, HEX) + '_' + fake(40, HEX)],
  ['SOURCEGRAPH_TOKEN', 'sgp' + '_' + fake(40, HEX)],
  ['PREFECT_API_KEY', 'pnu' + '_' + fake(36)],
  ['FLUTTERWAVE_SECRET_KEY', 'FLWSECK' + '_TEST-' + fake(32, HEX) + '-X'],
  ['EASYPOST_API_KEY', 'EZAK' + fake(54)],
  ['POSTMAN_API_KEY', 'PMAK' + '-' + fake(24, HEX) + '-' + fake(34, HEX)],
  ['AGE_SECRET_KEY', 'AGE-SECRET-KEY-1' + fake(58, 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L')],
  ['ALIBABA_ACCESS_KEY_ID', 'LTAI' + fake(20)],
  ['CEREBRAS_API_KEY', 'csk' + '-' + fake(48, LOWER_ALNUM)],
  ['ELEVENLABS_API_KEY', 'sk' + '_' + fake(48, HEX)],
  ['TAILSCALE_KEY', 'tskey' + '-auth-k' + fake(8) + 'CNTRL-' + fake(32)],
  ['TAILSCALE_KEY', 'tskey' + '-client-k' + fake(7) + 'CNTRL-' + fake(32)],
  ['CLOUDFLARE_API_TOKEN', 'cfut' + '_' + fake(40) + fake(8, HEX)],
  ['CLOUDFLARE_API_TOKEN', 'cfat' + '_' + fake(40) + fake(8, HEX)],
  ['CLOUDFLARE_API_KEY', 'cfk' + '_' + fake(40) + fake(8, HEX)],
  ['DATADOG_APP_KEY', 'ddapp' + '_' + fake(34)],
  ['MAILGUN_API_KEY', fake(32, HEX) + '-' + fake(8, HEX) + '-' + fake(8, HEX)],
];

// Secrets recognised only beside their name: [type, text, secret].
const KEYED: Array<[string, string, string]> = (() => {
  const aws = fake(40, ALNUM + '/+');
  const dd = fake(32, HEX);
  const mistral = fake(32);
  const cohere = fake(40);
  const twilio = fake(32, HEX);
  const heroku = `${fake(8, HEX)}-${fake(4, HEX)}-${fake(4, HEX)}-${fake(4, HEX)}-${fake(12, HEX)}`;
  return [
    ['AWS_SECRET_ACCESS_KEY', `aws_secret_access_key = ${aws}\n`, aws],
    ['AWS_SECRET_ACCESS_KEY', `export AWS_SECRET_ACCESS_KEY="${aws}"`, aws],
    ['DATADOG_API_KEY', `DD_API_KEY=${dd}`, dd],
    ['MISTRAL_API_KEY', `MISTRAL_API_KEY: "${mistral}"`, mistral],
    ['COHERE_API_KEY', `cohere_api_key = '${cohere}'`, cohere],
    ['TWILIO_AUTH_TOKEN', `TWILIO_AUTH_TOKEN=${twilio}`, twilio],
    ['HEROKU_API_KEY', `HEROKU_API_KEY=${heroku}`, heroku],
  ];
})();

/** Keys with no prefix, named by their provider (or companion id) nearby: [type, text, secret]. */
const IN_CONTEXT: Array<[string, string, string]> = (() => {
  const aws = Buffer.from(fake(30)).toString('base64');
  const akia = 'AKIA' + fake(16, BASE32);
  const sid = 'AC' + fake(32, HEX);
  const twilio = fake(32, HEX);
  const dd = fake(32, HEX);
  const ddApp = fake(40, HEX);
  const cohere = fake(40);
  const cf = fake(40, ALNUM + '_-');
  const cfGlobal = fake(37, HEX);
  const eleven = fake(32, HEX);
  const mistral = fake(32);
  return [
    ['AWS_SECRET_ACCESS_KEY', `AWS keys for the sandbox: ${akia} / ${aws}`, aws],
    ['AWS_SECRET_ACCESS_KEY', `AWS Secret Access Key [None]: ${aws}\n`, aws],
    ['AWS_SECRET_ACCESS_KEY', `session = boto3.Session("${akia}", "${aws}")`, aws],
    ['AWS_SECRET_ACCESS_KEY', `"SecretAccessKey": "${aws}",`, aws],
    ['TWILIO_AUTH_TOKEN', `client = Client("${sid}", "${twilio}")`, twilio],
    ['TWILIO_AUTH_TOKEN', `TWILIO_ACCOUNT_SID=${sid} TWILIO_TOKEN=${twilio}`, twilio],
    ['TWILIO_AUTH_TOKEN', `Twilio creds: SID ${sid}, auth token ${twilio}`, twilio],
    ['DATADOG_API_KEY', `Datadog API key is ${dd} and the app key is ${ddApp}`, dd],
    ['DATADOG_APP_KEY', `Datadog API key is ${dd} and the app key is ${ddApp}`, ddApp],
    ['DATADOG_APP_KEY', `from datadog import initialize\noptions = {"app_key": "${ddApp}"}`, ddApp],
    ['COHERE_API_KEY', `import cohere\nco = cohere.ClientV2("${cohere}")`, cohere],
    ['COHERE_API_KEY', `Our Cohere production key is ${cohere}.`, cohere],
    ['CLOUDFLARE_API_TOKEN', `Cloudflare API token (DNS edit): ${cf}`, cf],
    ['CLOUDFLARE_API_KEY', `-H "X-Auth-Key: ${cfGlobal}"`, cfGlobal],
    ['ELEVENLABS_API_KEY', `headers = {"xi-api-key": "${eleven}"}`, eleven],
    ['MISTRAL_API_KEY', `client = Mistral(api_key="${mistral}")`, mistral],
  ];
})();

function pem(kind: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 6; i++) lines.push(fake(64, ALNUM + '+/'));
  return `-----BEGIN ${kind}-----\n${lines.join('\n')}\n-----END ${kind}-----`;
}

function jwt(): string {
  return b64url('{"alg":"HS256","typ":"JWT"}') + '.' + b64url(`{"sub":"${fake(10, '0123456789')}","name":"Ann","iat":1516239022}`) + '.' + fake(43, UR);
}

describe('firewall secrets detector', () => {
  it('covers at least 40 providers', () => {
    const providers = SECRET_TYPES.filter((type) => !['PRIVATE_KEY', 'JWT', 'DATABASE_URL_WITH_PASSWORD', 'GENERIC_SECRET'].includes(type));
    expect(providers.length).to.be.at.least(40);
  });

  describe('provider tokens in prose and code', () => {
    for (const [type, token] of TOKENS) {
      it(`${type}: ${token.slice(0, 12)}…`, () => {
        expectFound(`Here is the key ${token} — please keep it safe.`, token, type);
        expectFound(`const client = new Client({ apiKey: "${token}" });`, token, type);
      });
    }
  });

  it('fixed-length tokens whose last character is - (one in 64 of them) are found whole', () => {
    for (const [type, token] of [
      ['SENDGRID_API_KEY', 'SG.' + fake(22, UR) + '.' + fake(42, UR) + '-'],
      ['SQUARE_ACCESS_TOKEN', 'EAAA' + fake(59, UR) + '-'],
      ['SQUARE_OAUTH_SECRET', 'sq0csp-' + fake(42, UR) + '-'],
      ['TELEGRAM_BOT_TOKEN', fake(10, '123456789') + ':AA' + fake(32, UR) + '-'],
      ['GITLAB_TOKEN', 'GR1348941' + fake(19, UR) + '-'],
      ['NEW_RELIC_KEY', 'NRII-' + fake(31, UR) + '-'],
    ] as const) {
      expectFound(`Here is the key ${token} please keep it safe.`, token, type);
      expectFound(`KEY=${token}`, token, type);
      // One more token character after it: a fragment of something longer, not this token.
      expectNothing(`KEY=${token}-x more`);
    }
  });

  describe('keyed secrets beside their name', () => {
    for (const [type, text, secret] of KEYED) it(`${type} in ${text.slice(0, 24)}…`, () => expectFound(text, secret, type));
  });

  describe('keys with no prefix, in their provider\'s context', () => {
    for (const [type, text, secret] of IN_CONTEXT) it(`${type} in ${text.slice(0, 36)}…`, () => expectFound(text, secret, type));
    it('keys listed one per line each keep their own provider (the name before a key wins over the next line\'s)', () => {
      const dd = fake(32, HEX), twilio = fake(32, HEX), eleven = fake(32, HEX), cf = fake(37, HEX);
      const env = `DD_API_KEY=${dd}\nTWILIO_AUTH_TOKEN=${twilio}\nELEVENLABS_API_KEY=${eleven}\nCLOUDFLARE_API_KEY=${cf}\n`;
      expect(scan(env).map((f) => [f.type, env.slice(f.start, f.end)])).to.deep.equal([
        ['DATADOG_API_KEY', dd], ['TWILIO_AUTH_TOKEN', twilio], ['ELEVENLABS_API_KEY', eleven], ['CLOUDFLARE_API_KEY', cf],
      ]);
    });
    it('the same shapes alone are not reported', () => {
      expectNothing(`commit ${fake(40, HEX)} and cache ${fake(32, HEX)}, blob ${fake(40)}`);
      expectNothing(`value ${Buffer.from(fake(30)).toString('base64')} here`);
    });
  });

  describe('structural look-alikes', () => {
    const b64url = (x: string) => Buffer.from(x).toString('base64url');
    it('a PEM private key wrapped in base64 (kubeconfig client-key-data) is a private key', () => {
      const wrapped = Buffer.from(pem('EC PRIVATE KEY') + '\n').toString('base64');
      expectFound(`    client-key-data: ${wrapped}\n`, wrapped, 'PRIVATE_KEY');
      expectNothing(`    client-certificate-data: ${Buffer.from(pem('CERTIFICATE')).toString('base64')}\n`);
    });
    it('publishable, example and anon tokens are not secrets', () => {
      expectNothing(`"apiKey": "pk_live_${fake(24)}"`);
      expectNothing(`mapboxgl.accessToken = 'pk.eyJ1Ijoi${fake(40, UR)}.${fake(22, UR)}';`);
      expectNothing('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c');
      const anon = b64url('{"alg":"HS256","typ":"JWT"}') + '.' + b64url('{"iss":"supabase","ref":"xyz","role":"anon","iat":1700000000}') + '.' + fake(43, UR);
      expectNothing(`SUPABASE_ANON_KEY=${anon}`);
    });
    it('base64 images and hashes under any key are not secrets', () => {
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.from(fake(300))]).toString('base64');
      expectNothing(`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"${png}"}}`);
      expectNothing(`<img src="data:image/png;base64,${png}">`);
      expectNothing(`"integrity": "sha512-${Buffer.from(fake(64)).toString('base64')}"`);
    });
  });

  it('AWS secret without its name is not reported as an AWS key', () => {
    expectNothing(`value ${fake(40, ALNUM + '/+')} here`, 'AWS_SECRET_ACCESS_KEY');
  });

  describe('structural secrets', () => {
    for (const kind of ['RSA PRIVATE KEY', 'PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'PGP PRIVATE KEY BLOCK']) {
      it(`PEM ${kind}`, () => {
        const block = pem(kind);
        expectFound(`key:\n${block}\nthanks`, block, 'PRIVATE_KEY');
      });
    }
    it('PEM with JSON-escaped newlines', () => {
      const block = pem('PRIVATE KEY').split('\n').join('\\n');
      expectFound(`{"private_key": "${block}\\n", "type": "service_account"}`, block, 'PRIVATE_KEY');
    });
    it('JWT', () => {
      const token = jwt();
      expectFound(`Authorization: Bearer ${token}`, token, 'JWT');
    });
    const pw = 'Xk' + fake(12) + '9';
    for (const url of [
      `postgres://app:${pw}@db.internal:5432/prod`,
      `postgresql://svc_user:${pw}@10.1.2.3/orders?sslmode=require`,
      `mongodb+srv://root:${pw}@cluster0.ab1cd.mongodb.net/test`,
      `redis://:${pw}@cache.local:6379/0`,
      `amqp://guest:${pw}@rabbit:5672/vhost`,
      `mysql://me:${pw}@localhost/app`,
    ]) it(`connection URL ${url.slice(0, 12)}…`, () => expectFound(`DATABASE_URL=${url}`, url, 'DATABASE_URL_WITH_PASSWORD'));

    const value = 'Tr0ub4dor&3' + fake(6);
    for (const [text, v] of [
      [`password = "${value}"`, value],
      [`"client_secret": "${value}",`, value],
      [`DB_PASSWORD=${value}\n`, value],
      [`secret: ${value}`, value],
      [`my api key is ${value}.`, value],
    ] as const) it(`generic assignment ${text.slice(0, 20)}`, () => expectFound(text, v, 'GENERIC_SECRET'));
  });

  describe('near misses do not fire', () => {
    const negatives: Array<[string, string]> = [
      ['placeholder sk-xxxx', 'OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
      ['YOUR_API_KEY', 'export OPENAI_API_KEY=YOUR_API_KEY'],
      ['<token>', 'Authorization: Bearer <token>'],
      ['fake AWS run', 'aws_access_key_id = AKIAXXXXXXXXXXXXXXXX'],
      ['AWS docs example', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
      ['ghp_ placeholder', 'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
      ['sequence', 'token: ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
      ['git SHA', 'commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it'],
      ['UUID', 'request id 123e4567-e89b-12d3-a456-426614174000'],
      ['UUID as token value', 'token: 123e4567-e89b-12d3-a456-426614174000'],
      ['base64 image', 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='],
      ['password in code', 'const password = getPassword(); token = process.env.TOKEN'],
      ['type annotation', 'function login(password: string, token: string) {}'],
      ['max_tokens', '{"max_tokens": 4096, "temperature": 0.2}'],
      ['template url', 'postgres://user:password@localhost:5432/db'],
      ['env url', 'postgres://app:${DB_PASSWORD}@db/prod'],
      ['url without password', 'https://example.com/path and postgres://localhost/db'],
      ['prose about keys', 'Rotate the API key every 90 days and never share a password.'],
      ['JWT-looking but not JSON', 'eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.c2lnbmF0dXJlc2lnbmF0dXJl'],
      ['PEM placeholder', '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----'],
      ['public key', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----'],
      ['word task-', 'the task-' + 'a'.repeat(48) + ' is done'],
      ['stripe publishable', 'pk_live_' + fake(24)],
    ];
    for (const [name, text] of negatives) it(name, () => expectNothing(text));
  });

  it('reports an emoji-prefixed token at UTF-16 offsets', () => {
    const token = 'ghp' + '_' + fake(36);
    const text = `🔑🔑 ${token}`;
    const [finding] = scan(text);
    expect(finding).to.deep.include({ type: 'GITHUB_TOKEN', start: 5, end: 5 + token.length, detector: 'secrets' });
  });
});
