// PDFs between protocols. Every provider reads a PDF natively, each in its own shape (Anthropic
// `document`, Chat `file`, Responses `input_file`, Gemini `inlineData` / `fileData`); these
// helpers are the pieces those shapes share: the MIME type, the data URL OpenAI wants, and a
// filename where OpenAI asks for one.
import type { IrDocument } from './ir.js';

export const PDF = 'application/pdf';

/** OpenAI wants a filename beside `file_data`; a PDF from another protocol may have none. */
const DEFAULT_FILENAME = 'document.pdf';

/** A `data:application/pdf;base64,…` URL as an IR document, or undefined for any other URL. */
export function pdfFromDataUrl(url: string, filename: string | undefined): IrDocument | undefined {
  const m = /^data:application\/pdf(?:;[^;,]*)*;base64,(.*)$/s.exec(url);
  if (!m) return undefined;
  const doc: IrDocument = { type: 'document', source: { kind: 'base64', data: m[1] ?? '' } };
  if (filename !== undefined) doc.filename = filename;
  return doc;
}

/** The PDF's bytes as OpenAI's `file_data` (a data URL). */
export function pdfDataUrl(data: string): string {
  return `data:${PDF};base64,${data}`;
}

export function pdfFilename(doc: IrDocument): string {
  return doc.filename ?? DEFAULT_FILENAME;
}

/** An IR document from a URL and a filename (any protocol's PDF given by address). */
export function pdfAt(url: string, filename: string | undefined): IrDocument {
  const doc: IrDocument = { type: 'document', source: { kind: 'url', url } };
  if (filename !== undefined) doc.filename = filename;
  return doc;
}
