import { z } from '../../core/index.js';

export const translatorOptions = z.strictObject({});
export type TranslatorOptions = z.output<typeof translatorOptions>;
