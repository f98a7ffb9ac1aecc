import { t, type Infer } from '../../core/index.js';

export const translatorOptions = t.object({});
export type TranslatorOptions = Infer<typeof translatorOptions>;
