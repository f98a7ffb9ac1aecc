// Module resolve hook: `import … from 'sluice'` in any plugin resolves to the running gateway's own
// entry, so a plugin file next to an operator's config works without installing Sluice beside it,
// and every plugin shares one copy of the contract.
interface ResolveContext { parentURL?: string; conditions?: string[] }
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

let entryUrl = '';

export function initialize(data: { entryUrl: string }): void {
  entryUrl = data.entryUrl;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'sluice' && entryUrl) return { url: entryUrl, shortCircuit: true };
  // The test harness sits beside the entry (dist/core/testing/index.js next to dist/core/index.js).
  if (specifier === 'sluice/testing' && entryUrl) return { url: new URL('./testing/index.js', entryUrl).href, shortCircuit: true };
  if (specifier.startsWith('sluice/') && entryUrl) {
    // Any other path into Sluice is an internal, not the contract: say so rather than "cannot find
    // package 'sluice'" (which reads as an installation problem). A Sluice installed beside the
    // plugin still resolves as Node would.
    try {
      return await next(specifier, context);
    } catch {
      throw new Error(`cannot import '${specifier}': a plugin imports only 'sluice' and 'sluice/testing', Sluice's public surface (docs/writing-plugins.md)`);
    }
  }
  return next(specifier, context);
}
