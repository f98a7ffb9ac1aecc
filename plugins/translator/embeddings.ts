// Embeddings between OpenAI (`/v1/embeddings`) and Gemini (`embedContent`, `batchEmbedContents`).
import { asString, type Exchange, type JsonValue, type Target, type UpstreamRequest } from '../../core/index.js';
import { geminiEmbeddingsToOpenAI, geminiEmbedToOpenAI, openAIEmbeddingsToGemini, openAIEmbeddingsToGeminiRequest } from './protocols/gemini/embeddings.js';

export function translateEmbeddings(exchange: Exchange): () => void {
  const fromOpenAI = exchange.endpoint.family === 'openai';
  const batch = exchange.readRequest()['requests'] !== undefined;
  exchange.translate = (t: Target): UpstreamRequest | undefined => {
    if (t.protocol.family === exchange.endpoint.family) return undefined;
    const body = fromOpenAI ? openAIEmbeddingsToGeminiRequest(exchange.readRequest(), t.model) : geminiEmbedToOpenAI(exchange.readRequest(), t.model, batch);
    return { protocol: t.protocol, body, stream: false, model: t.model };
  };
  return () => {
    const response = exchange.response;
    if (!response || response.kind !== 'json' || response.protocol.family === exchange.endpoint.family) return;
    const format = asString(exchange.readRequest()['encoding_format']) === 'base64' ? 'base64' : 'float';
    const body = fromOpenAI
      ? geminiEmbeddingsToOpenAI(response.body as JsonValue, exchange.model ?? '', format)
      : openAIEmbeddingsToGemini(response.body as JsonValue, batch);
    exchange.response = { ...response, protocol: exchange.endpoint, body };
  };
}
