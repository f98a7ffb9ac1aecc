// The YAML parser the config loader uses; bundled into one file by `npm run build` like zod.ts.
export { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, visit, type Document } from 'yaml';
