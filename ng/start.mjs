import { readFileSync } from 'node:fs';
import { startNginx } from '/tmp/qa-ledger/dist/test/helpers/nginx.js';
let conf = readFileSync('/tmp/qa-ledger/examples/nginx/sluice.conf', 'utf8');
conf = conf.replace('server sluice-1:8081 max_fails=3 fail_timeout=10s;', 'server 127.0.0.1:21041;').replace(/\n\s*server sluice-2:8081[^\n]*/, '').replace('listen 80;', 'listen 127.0.0.1:21040;');
const dir = '/tmp/qa-ledger-work/ng/prefix';
const n = await startNginx('/usr/sbin/nginx', dir, conf, 'http://127.0.0.1:21040/health');
console.log('nginx pid', n.child.pid);
n.child.unref(); process.exit(0);
