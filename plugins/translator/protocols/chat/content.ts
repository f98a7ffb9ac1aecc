// Chat image parts ⇄ IR images (core's reader finds the parts; how an image is encoded is the translator's).
import { asObject, asString, type JsonObject } from '../../../../core/index.js';
import type { IrDocument, IrImage } from '../../ir.js';
import { pdfDataUrl, pdfFilename } from '../../documents.js';
import { invalid } from '../../util.js';

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s;

/** An `image_url` part as an IR image: data: URLs become base64, anything else stays a URL. */
export function imageUrlToIr(part: JsonObject, param: string): IrImage {
  const field = part['image_url'];
  const obj = asObject(field);
  const url = asString(field) ?? asString(obj?.['url']);
  if (!url) throw invalid('image_url part needs a url', param);
  const detail = asString(obj?.['detail']);
  const m = DATA_URL.exec(url);
  const source: IrImage['source'] = m ? { kind: 'base64', mediaType: m[1]!, data: m[3]! } : { kind: 'url', url };
  return detail ? { type: 'image', source, detail } : { type: 'image', source };
}

export function imageToChat(image: IrImage): JsonObject {
  const url = image.source.kind === 'url' ? image.source.url : `data:${image.source.mediaType};base64,${image.source.data}`;
  const imageUrl: JsonObject = { url };
  if (image.detail !== undefined) imageUrl['detail'] = image.detail;
  return { type: 'image_url', image_url: imageUrl };
}

/** A PDF as Chat's `file` part: its bytes as a data URL. Chat takes no file URL: undefined for one. */
export function documentToChat(doc: IrDocument): JsonObject | undefined {
  if (doc.source.kind !== 'base64') return undefined;
  return { type: 'file', file: { filename: pdfFilename(doc), file_data: pdfDataUrl(doc.source.data) } };
}
