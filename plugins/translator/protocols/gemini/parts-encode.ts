// IR parts → Gemini parts, shared by the request encoder (Gemini upstream) and the response
// encoder (Gemini client), so a signature travels the same way in both directions.
import type { JsonObject } from '../../../../core/index.js';
import type { IrDocument, IrImage, IrPart } from '../../ir.js';
import { isGeminiSignature } from './thinking.js';
import { isHidden } from '../../hidden-reasoning.js';
import { PDF } from '../../documents.js';
import { parseArguments } from '../../util.js';

/**
 * `callNames` maps call ids seen so far to function names: Gemini's functionResponse needs the
 * name, which IR tool results from OpenAI clients do not carry.
 */
export function encodeParts(parts: IrPart[], callNames: Map<string, string>): JsonObject[] {
  const out: JsonObject[] = [];
  // A signature on an empty thinking is how the decoders keep a signed text or call part's signature.
  let pendingSignature: string | undefined;
  const sign = (part: JsonObject): JsonObject => {
    if (pendingSignature !== undefined && part['thoughtSignature'] === undefined) part['thoughtSignature'] = pendingSignature;
    pendingSignature = undefined;
    return part;
  };
  for (const p of hiddenOnFirstCall(parts)) {
    switch (p.type) {
      case 'text':
        out.push(sign({ text: p.text }));
        break;
      case 'thinking':
        // Only Gemini's own signature moves onto the part it signed. Another family's reasoning (a
        // tagged Responses encrypted_content, an Anthropic signature) stays a thought of its own: on
        // a functionCall it would come back as that call's signature and the reasoning would be lost.
        // Reasoning a client was not shown, packed (hidden-reasoning.ts), does go onto the next part:
        // the decoder knows it there, and a client that asked no thoughts gets no thought part.
        if (p.text === '' && p.signature !== undefined && (isGeminiSignature(p.signature) || isHidden(p.signature))) { pendingSignature = p.signature; break; }
        out.push(p.signature === undefined ? { text: p.text, thought: true } : { text: p.text, thought: true, thoughtSignature: p.signature });
        break;
      case 'redacted_thinking':
        break; // another provider's encrypted reasoning: Gemini cannot use it
      case 'image':
        out.push(sign(imagePart(p)));
        break;
      case 'document':
        out.push(sign(documentPart(p)));
        break;
      case 'tool_call': {
        callNames.set(p.id, p.name);
        const part: JsonObject = { functionCall: { id: p.id, name: p.name, args: parseArguments(p.arguments) } };
        if (p.signature !== undefined) part['thoughtSignature'] = p.signature;
        out.push(sign(part));
        break;
      }
      case 'tool_result': {
        const text = p.content.map((c) => (c.type === 'text' ? c.text : '')).filter((t) => t !== '').join('\n');
        const name = p.name || callNames.get(p.callId) || 'unknown';
        out.push({ functionResponse: { id: p.callId, name, response: p.isError ? { error: text } : { output: text } } });
        // Images and PDFs a tool returned ride next to its response: every Gemini model takes inline parts there.
        for (const c of p.content) {
          if (c.type === 'image') out.push(imagePart(c));
          else if (c.type === 'document') out.push(documentPart(c));
        }
        break;
      }
    }
  }
  if (pendingSignature !== undefined) out.push(isHidden(pendingSignature) ? { text: '', thoughtSignature: pendingSignature } : { text: '', thought: true, thoughtSignature: pendingSignature });
  return out;
}

/**
 * Hidden reasoning (hidden-reasoning.ts) before the answer's first function call goes as that
 * call's signature, where Google puts its own when the answer has calls: clients keep a call's
 * signature, and Gemini CLI drops those of text parts. (The decoder puts it back before the text
 * that came before the call.) Without a call it goes on the next part, as below.
 */
function hiddenOnFirstCall(parts: IrPart[]): IrPart[] {
  const call = parts.findIndex((p) => p.type === 'tool_call');
  const target = parts[call];
  if (target?.type !== 'tool_call' || target.signature !== undefined) return parts;
  const at = parts.findIndex((p, i) => i < call && p.type === 'thinking' && p.text === '' && p.signature !== undefined && isHidden(p.signature));
  const hidden = parts[at];
  if (hidden?.type !== 'thinking' || hidden.signature === undefined) return parts;
  const signature = hidden.signature;
  return parts.flatMap((p, i): IrPart[] => (i === at ? [] : i === call ? [{ ...target, signature }] : [p]));
}

function documentPart(doc: IrDocument): JsonObject {
  return doc.source.kind === 'base64' ? { inlineData: { mimeType: PDF, data: doc.source.data } } : { fileData: { mimeType: PDF, fileUri: doc.source.url } };
}

const EXTENSION_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic', heif: 'image/heif',
};

function imagePart(img: IrImage): JsonObject {
  if (img.source.kind === 'base64') return { inlineData: { mimeType: img.source.mediaType, data: img.source.data } };
  const url = img.source.url;
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (dataUrl) return { inlineData: { mimeType: dataUrl[1] as string, data: dataUrl[2] as string } };
  // fileData needs a MIME type; URLs rarely say, so the extension decides and JPEG is the usual case.
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase() ?? '';
  return { fileData: { mimeType: (Object.hasOwn(EXTENSION_TYPES, ext) ? EXTENSION_TYPES[ext] : undefined) ?? 'image/jpeg', fileUri: url } };
}
