// A callback after each young-generation collection (scavenge) of this thread's heap.
import { PerformanceObserver, constants } from 'node:perf_hooks';

/** Calls `then` (at most once per delivery of entries) after scavenges; returns the way to stop. */
export function afterYoungGc(then: () => void): () => void {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) { then(); return; }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
