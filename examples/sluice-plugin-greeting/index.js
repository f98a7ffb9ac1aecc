// An example third-party plugin. It uses only Sluice's public entry ('sluice') and shows the
// contract: options with a schema, request middleware on the onion, and usage read after the
// response has been written.
import { definePlugin, t } from 'sluice';

export default definePlugin({
  name: 'sluice-plugin-greeting',
  version: '1.0.0',
  sluice: '>=0.1.0 <1',
  description: 'Adds an x-greeting header and logs tokens per model',
  options: t.object({
    greeting: t.default(t.string({ minLength: 1 }), 'hello'),
    header: t.default(t.string({ pattern: /^[a-z0-9-]+$/, patternName: 'a lower-case header name' }), 'x-greeting'),
  }),
  setup(options, host) {
    const tokens = host.metrics.counter('greeting_tokens_total', 'Output tokens seen by the greeting plugin');
    return {
      middleware: async (ctx, next) => {
        const exchange = ctx.state.exchange;
        exchange.responseHeaders[options.header] = options.greeting;
        await next();
        // Usage is final only once the response (or stream) has been written.
        exchange.completed.then((done) => {
          if (done.usage) tokens.inc({ model: exchange.model ?? 'unknown' }, done.usage.outputTokens);
        });
      },
    };
  },
});
