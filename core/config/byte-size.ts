// Sizes in the config ("10mb", "512kb" or a byte count). Apart from the config schema so that code
// reading a size at run time (the HTTP upstream) does not load the schema, which core's public entry
// would then build on every import — `sluice scan` included, which reads no config.
export const SIZE = /^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** "10mb", "512kb" or a plain byte count, in bytes (the value has passed the schema's `byteSize`). */
export function toBytes(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = SIZE.exec(v.trim())!;
  return Math.round(parseFloat(v) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
}
