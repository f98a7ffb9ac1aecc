// Secrets without a provider prefix: HTTP credentials and password/secret/token assignments in the
// shapes config files, code, shells and prose use — and the look-alikes that must stay quiet.
import { expect } from 'chai';
import { ALNUM, HEX, expectFound, expectNothing, fake, scan } from './helpers.js';
import { splitAssignment } from '../../../plugins/firewall/detectors/assignments.js';
import { secretKeyKind, isPasswordHash } from '../../../plugins/firewall/validators/secret-value.js';
import { basicCredentials } from '../../../plugins/firewall/detectors/http-auth.js';

const pw = 'Qm7' + fake(9) + '#x';
const tok = fake(40, ALNUM);
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('firewall credential detectors', () => {
  describe('HTTP credentials', () => {
    const basic = b64(`deploy:${pw}`);
    const cases: Array<[string, string, string]> = [
      ['HTTP_BASIC_AUTH', `curl -H "Authorization: Basic ${basic}" https://nexus.corp.local/`, basic],
      ['HTTP_BASIC_AUTH', `headers={'Authorization': 'Basic ${basic}'}`, basic],
      ['HTTP_BASIC_AUTH', `{"auths": {"ghcr.io": {"auth": "${basic}"}}}`, basic],
      ['HTTP_BASIC_AUTH', `curl -u deploy:${pw} https://api.example.net/v1`, `deploy:${pw}`],
      ['HTTP_BASIC_AUTH', `curl --user 'deploy:${pw}' https://api.example.net/v1`, `deploy:${pw}`],
      ['BEARER_TOKEN', `curl -H "Authorization: Bearer ${tok}" https://api.example.net/me`, tok],
      ['BEARER_TOKEN', `> authorization: Bearer ${tok}\n`, tok],
      ['BEARER_TOKEN', `curl -H "Authorization: Token ${fake(40, HEX)}" https://netbox.local/api/`, ''],
      ['API_KEY_HEADER', `--header "x-api-key: ${tok}"`, tok],
      ['API_KEY_HEADER', `req.Header.Set("X-Api-Key", "${fake(32, HEX)}")`, ''],
      ['DATADOG_API_KEY', `req.Header.Set("DD-API-KEY", "${fake(32, HEX)}")`, ''],
      ['OKTA_API_TOKEN', `curl -H "Authorization: SSWS 00${fake(40, ALNUM + '_-')}" https://acme.okta.com/api/v1/users`, ''],
      ['URL_CREDENTIALS', `git clone https://jdoe:${pw}@git.corp.local/scm/pay.git`, pw],
      ['URL_CREDENTIALS', `export HTTPS_PROXY=http://svc-proxy:${pw}@proxy.corp.local:3128`, pw],
    ];
    for (const [type, text, value] of cases) {
      it(`${type}: ${text.slice(0, 40)}…`, () => {
        if (value) expectFound(text, value, type);
        else expect(scan(text).map((f) => f.type)).to.include(type);
      });
    }

    it('Basic is only a finding when it decodes to user:password', () => {
      expect(basicCredentials(b64('admin:' + pw))).to.deep.equal({ user: 'admin', password: pw });
      expect(basicCredentials(b64('no colon here'))).to.equal(undefined);
      expect(basicCredentials(b64('admin:admin'))).to.equal(undefined);
      expect(basicCredentials('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ')).to.equal(undefined);
    });

    const quiet = [
      'Authorization: Bearer $TOKEN',
      'Authorization: Bearer ${{ secrets.GITHUB_TOKEN }}',
      'Authorization: Bearer <token>',
      'Authorization: Basic <base64-encoded-credentials>',
      'curl -u "$JIRA_USER:$JIRA_TOKEN" https://jira.example.net',
      'curl -u username:password https://api.example.com',
      'docker run -u 1000:1000 alpine',
      'postgres://postgres:postgres@localhost:5432/postgres',
      'https://${GIT_USER}:${GIT_TOKEN}@github.com/acme/infra.git',
      'amqp://guest:guest@localhost:5672/',
    ];
    for (const text of quiet) it(`quiet: ${text}`, () => expectNothing(text));
  });

  describe('assignments in config files, code and shells', () => {
    const cases: Array<[string, string]> = [
      ['YAML', `database:\n  password: ${pw}\n  pool: 5`],
      ['JSON', `{"password": "${pw}", "user": "app"}`],
      ['env', `DB_PASSWORD=${pw}\n`],
      ['export', `export API_TOKEN="${tok}"`],
      ['Python', `password = '${pw}'`],
      ['JS camelCase', `const apiSecret = "${tok}";`],
      ['PHP array', `$config['db_password'] = '${pw}';`],
      ['PHP define', `define( 'DB_PASSWORD', '${pw}' );`],
      ['XML', `<password>${pw}</password>`],
      ['escaped JSON', `{"content":"DB_PASSWORD=${pw}\\nDEBUG=false"}`],
      ['Makefile', `REGISTRY_TOKEN ?= ${tok}`],
      ['--password', `mysqldump --user=backup --password=${pw} --all-databases`],
      ['--token', `./deploy.sh --env prod --token ${tok} --region us-east-1`],
      ['mysql -p', `mysql -h db -u root -p${pw} orders`],
      ['sshpass -p', `sshpass -p '${pw}' ssh deploy@host`],
      ['redis-cli -a', `redis-cli -h cache -a ${pw} ping`],
      ['SQL', `CREATE USER reporting WITH PASSWORD '${pw}';`],
      ['positional', `new NetworkCredential("noreply@corp.io", "${pw}")`],
      ['prose', `The root password on the NAS is ${pw}, change it.`],
      ['prose, other language', `A senha do banco é ${pw} — não compartilhe.`],
      ['netrc', `machine api.example.net login ops password ${pw}`],
      ['URL query', `curl "https://graph.example.com/me?access_token=${tok}"`],
      ['Rust typed const', `const API_KEY: &str = "${tok}";`],
      ['Kotlin typed val', `private val apiToken: String = "${tok}"`],
      ['no separator after "this token"', `can you check this token ${tok} against the API?`],
      ['address / password', `our staging admin is admin@corp.io / ${pw}`],
    ];
    for (const [shape, text] of cases) {
      const value = text.includes(pw) ? pw : tok;
      it(`${shape}`, () => expectFound(text, value, 'GENERIC_SECRET'));
    }

    const quiet = [
      'password: ${DB_PASS}', 'password=<your-password>', 'token: null', 'secret = os.environ["SECRET"]',
      'api_key = os.getenv("API_KEY")', 'password: "********"', 'PASSWORD=changeme', 'DB_PASSWORD=your_password_here',
      'apiKey: process.env.OPENAI_API_KEY,', 'password = getpass.getpass("DB password: ")', 'password: string;',
      'secret_name: prod/db/credentials', 'tokenizer: cl100k_base', 'token_url: https://oauth2.googleapis.com/token',
      `"private_key_id": "${fake(40, HEX)}"`, `token_hash = "${fake(64, HEX)}"`, `api_key_sha256: ${fake(64, HEX)}`,
      'password_hash: $2b$12$KIXQJf1bn3a6C8oZl.ePze9x0YqjXlJ0E7o5bQyHq6mYl9Zg8h2Ku', 'password: !vault |',
      'secret:\n  secretName: db-credentials-prod', '"encrypted_password": "6DZWMtQDkXsecj5B562S7q4yXCQztE8fuNzfHs+JkXo="',
      'password: ENC[AES256_GCM,data:abc,iv:def,type:str]', 'SESSION_SECRET=change-me-to-a-long-random-string',
      'ANTHROPIC_API_KEY=sk-ant-api03-...', '"Resource": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db/password-a1B2c3"',
      'echo "$CR_PAT" | docker login ghcr.io -u USERNAME --password-stdin', 'mysql -u root -p', 'Forgot password? Click the reset link.',
      'The token limit for this model is 128k.', 'That password is incorrect.', `stripe: { apiKey: 'pk_live_${fake(24)}' }`,
      '$password = ConvertTo-SecureString $plain -AsPlainText -Force', 'log in with Google / GitHub',
      'return &Client{token: token, baseURL: cfg.BaseURL}', 'the password manager stores it', 'The token bucket refills at 100 req/s.',
      'ERROR 1045 (28000): Access denied for user \'root\'@\'localhost\' (using password: YES)', 'passwd:         files systemd',
      'pwd: /home/ubuntu/app', 'WWW-Authenticate: Basic realm="Restricted Area"', 'WWW-Authenticate: Bearer realm="api", error="invalid_token"',
    ];
    for (const text of quiet) it(`quiet: ${text.slice(0, 60)}`, () => expectNothing(text));
  });

  it('a Google app password after "app password"', () => {
    expectFound('my gmail app password is kqzv ptwm hjxr nbfa, set up SMTP', 'kqzv ptwm hjxr nbfa', 'GENERIC_SECRET');
  });

  it('splits assignments the way the pattern does', () => {
    expect(splitAssignment('DB_PASSWORD=abcdef')).to.deep.equal({ key: 'DB_PASSWORD', op: '=', valueAt: 12 });
    expect(splitAssignment('"password": "abcdef')).to.equal(undefined); // a match never starts with a quote
    expect(splitAssignment('password": "abcdef')).to.deep.equal({ key: 'password', op: ':', valueAt: 12 });
    expect(splitAssignment('password\\": \\"abcdef')).to.deep.equal({ key: 'password', op: ':', valueAt: 14 });
    expect(splitAssignment("db_password'] = 'abcdef")).to.deep.equal({ key: 'db_password', op: '=', valueAt: 17 });
    expect(splitAssignment('TOKEN ?= abcdef')).to.deep.equal({ key: 'TOKEN', op: '?=', valueAt: 9 });
    expect(splitAssignment('password is abcdef')).to.deep.equal({ key: 'password', op: 'is', valueAt: 12 });
    expect(splitAssignment('API_KEY: &str = "abcdef')).to.deep.equal({ key: 'API_KEY', op: '=', valueAt: 17 });
    expect(splitAssignment('password: hunter22')).to.deep.equal({ key: 'password', op: ':', valueAt: 10 });
  });

  it('judges key names by how they end', () => {
    for (const key of ['DB_PASSWORD', 'dbPassword', 'PGPASSWORD', 'pass', 'apiSecret', 'aws_secret_access_key', 'SECRET_KEY_BASE', '_authToken', 'client_secret', 'DD_APP_KEY']) {
      expect(secretKeyKind(key), key).to.not.equal(undefined);
    }
    for (const key of ['secret_name', 'token_url', 'private_key_id', 'max_tokens', 'password_hash', 'encrypted_password', 'public_key', 'tokenizer', 'csrftoken', 'key', 'apiKeyAuth']) {
      expect(secretKeyKind(key), key).to.equal(undefined);
    }
  });

  it('recognises stored password hashes', () => {
    expect(isPasswordHash('$2b$12$KIXQJf1bn3a6C8oZl.ePze9x0YqjXlJ0E7o5bQyHq6mYl9Zg8h2Ku')).to.equal(true);
    expect(isPasswordHash('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA')).to.equal(true);
    expect(isPasswordHash('pbkdf2_sha256$600000$salt$hash')).to.equal(true);
    expect(isPasswordHash('$ecretP4ss')).to.equal(false);
  });
});
