// An example third-party plugin. It uses only Sluice's public entry ('sluice') and shows the
// contract: options with a zod schema, request middleware on the onion, and usage read after the
// response has been written. `z` comes from 'sluice', not from 'zod': it is the zod Sluice itself
// validates with, and a plugin file next to a config needs nothing installed beside it.
import { definePlugin, z } from 'sluice';

export default definePlugin({
  name: 'sluice-plugin-greeting',
  version: '1.0.0',
  sluice: '>=0.1.0 <1',
  description: 'Adds an x-greeting header and logs tokens per model',
  // strictObject: a misspelt option in the YAML is an error naming it, not silently ignored.
  options: z.strictObject({
    greeting: z.string().min(1).default('hello').describe('The header value'),
    header: z.string().regex(/^[a-z0-9-]+$/).meta({ expected: 'a lower-case header name' }).default('x-greeting'),
  }),
  setup(options, host) {
    const tokens = host.metrics.counter('greeting_tokens_total', 'Output tokens seen by the greeting plugin');
    return {
      middleware: async (ctx, next) => {
        const exchange = ctx.exchange;
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
