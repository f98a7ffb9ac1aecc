// The ledger: one row per request, whatever its outcome — token classes, cost, timings, the
// independent token count — written off the request path in batches, never lost to a database
// outage (spill file) or a graceful shutdown; and the usage and audit reports over it.
import path from 'node:path';
import { definePlugin, OptionError, spillDatabase } from '../../core/index.js';
import { auditRoute, reportQueue, usageRoute } from './admin.js';
import { ledgerAdminDocs } from './admin-docs.js';
import { captureStream } from './capture.js';
import { auditCommand, usageCommand } from './commands.js';
import { KnownCounts } from './count/known-counts.js';
import { PromptMemo } from './count/prompt-memo.js';
import { createTokenCounter } from './count/tokenizer.js';
import { ledgerMetrics } from './metrics.js';
import { ledgerMigrations } from './migrations.js';
import { ledgerOptions, type LedgerOptions } from './options.js';
import { entryOf, type LedgerEntry } from './entry.js';
import { fallbackRow } from './fallback-row.js';
import { prepareEntries } from './prepare.js';
import { LedgerRetention } from './retention.js';
import { SpillFile } from './spill.js';
import { knexStore } from './store.js';
import { LedgerWriter } from './writer.js';

const isAdmin = (p: string) => p === '/admin' || p.startsWith('/admin/');

/** Options a reload may change; the writer's own (interval, batch, buffer, spill) need a restart. */
const WRITER_KEYS = ['flush_interval_ms', 'batch_size', 'max_buffer_rows', 'write_timeout_ms', 'spill_dir'] as const;

export default definePlugin<LedgerOptions>({
  name: 'ledger',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'One row per request (tokens by class, cost, timings, an independent token count); usage and audit reports',
  options: ledgerOptions,
  migrations: ledgerMigrations,
  commands: { usage: usageCommand, audit: auditCommand },
  setup(initial, host) {
    // Built without side effects: no timer, no thread, no file until start().
    let options = initial;
    const metrics = ledgerMetrics(host.metrics, () => writer.depth);
    const counter = createTokenCounter({
      timeoutMs: 15_000,
      onError: (err) => host.logger.warn('ledger tokenizer failed; rows go without a local count', { error: err }),
    });
    // Only writers to this database take over its spill files (a host without storage settings, as
    // core's plugin test harness gives, has no database to tell apart).
    const database = host.config.storage?.database;
    const spill = new SpillFile(path.resolve(host.configDir, initial.spill_dir), (file, line) => host.logger.warn('ledger spill file has a torn line; skipped', { file, line }),
      database === undefined ? undefined : spillDatabase(database, host.configDir));
    const prepareContext = {
      get options() { return options; },
      pricing: host.pricing,
      counter,
      isLoopback: (name: string) => host.providers.get(name)?.type === 'loopback',
      memo: new PromptMemo(),
      known: new KnownCounts(),
    };
    const writer = new LedgerWriter<LedgerEntry>({
      flushIntervalMs: initial.flush_interval_ms, batchSize: initial.batch_size,
      maxBufferRows: initial.max_buffer_rows, writeTimeoutMs: initial.write_timeout_ms, cycleAfterYoungGc: true,
    }, {
      prepare: (entries, failed) => prepareEntries(entries, prepareContext, failed),
      fallbackRow: (entry) => fallbackRow(entry, host.pricing),
      store: knexStore(() => host.database()),
      spill, metrics, logger: host.logger,
    });
    const retention = new LedgerRetention({
      database: () => host.database(), retentionDays: () => options.retention_days, pruned: (n) => metrics.pruned(n), logger: host.logger,
    });
    const reports = reportQueue();
    const docs = ledgerAdminDocs();
    host.addAdminRoute('GET', '/usage', usageRoute(host, reports), docs.usage);
    host.addAdminRoute('GET', '/audit', auditRoute(host, () => options, reports), docs.audit);
    return {
      // Streams are read as they pass (the bytes still go out untouched); JSON answers after the
      // fact, in onRequest. A client that asked for JSON gets JSON, so its request passes straight
      // on: no frame of this plugin's on its way back.
      middleware: (ctx, next) => {
        if (!ctx.exchange.stream) return next();
        const ex = ctx.exchange;
        return next().then(() => { if (ex.response?.kind === 'stream') captureStream(ex, options.count.max_chars); });
      },
      onRequest(record) {
        if (!options.include_admin && record.endpoint === undefined && isAdmin(record.path)) return;
        // The entry, not the record: the exchange must not outlive its request (entry.ts).
        writer.push(entryOf(record, options));
      },
      async start() {
        // Rows wait for their count; load the usual OpenAI encoding now (in its own thread) rather
        // than on the first request, when an OpenAI provider is configured at all.
        if (options.count.enabled && Object.values(host.config.providers).some((p) => p.type === 'openai')) counter.warm('o200k_base');
        // The writer's start opens the spill directory (made if missing) and counts what waits there:
        // the one thing in it that can fail.
        await writer.start().catch((err: unknown) => { throw new OptionError(['spill_dir'], `${spill.dir}: ${(err as Error).message}`); });
        retention.start();
      },
      reload(next) {
        for (const key of WRITER_KEYS) {
          if (next[key] !== initial[key]) throw new OptionError([key], 'cannot change without a restart');
        }
        return () => { options = next; };
      },
      async close() {
        await retention.close();
        await writer.close();
        await counter.close();
      },
    };
  },
});
