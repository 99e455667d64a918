/** Rough token counts (characters / 4): for estimates and for providers that send no usage. */
export const tokensOfText = (chars: number) => Math.ceil(chars / 4);

/** Characters of the prompt: message contents (strings or text parts) or embedding inputs. */
export function promptChars(body: Record<string, unknown>): number {
  let n = 0;
  const messages = body.messages;
  if (Array.isArray(messages))
    for (const m of messages) {
      const c = (m as { content?: unknown })?.content;
      if (typeof c === 'string') n += c.length;
      else if (Array.isArray(c)) for (const part of c) if (typeof part?.text === 'string') n += part.text.length;
    }
  const input = body.input;
  if (typeof input === 'string') n += input.length;
  else if (Array.isArray(input)) for (const s of input) if (typeof s === 'string') n += s.length;
  return n;
}
