/**
 * Approximate, deterministic token counting: ceil(chars / 4).
 * Good enough for timing and usage figures; not a real tokenizer.
 */
export const CHARS_PER_TOKEN = 4;

export function countTokens(text: string | null | undefined): number {
  if (!text) return 0;
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Text of a message content in OpenAI form (string, null, or an array of parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
      .join('');
  }
  return '';
}

interface PromptLike {
  messages: Array<{ role: string; content?: unknown; tool_calls?: unknown; name?: string }>;
  tools?: unknown;
}

/** Prompt tokens: per message 4 tokens of chat-template overhead + content + tool calls; tools' JSON; 3 for the reply header. */
export function countPromptTokens(req: PromptLike): number {
  let n = 3;
  for (const m of req.messages) {
    n += 4 + countTokens(contentText(m.content));
    if (m.tool_calls) n += countTokens(JSON.stringify(m.tool_calls));
    if (m.name) n += countTokens(m.name);
  }
  if (req.tools) n += countTokens(JSON.stringify(req.tools));
  return n;
}
