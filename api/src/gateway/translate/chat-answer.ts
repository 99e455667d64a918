import { MalformedUpstream } from '../stream.js';
import type { TokenUsage } from '../pricing.js';
import { chatUsage } from '../usage.js';

/**
 * A non-streamed chat.completion from an upstream, as the translations to other protocols read
 * it: its first choice and its usage. Anything else is a malformed answer (502 to the client).
 */
export function chatAnswer(text: string): { choice: any; usage: TokenUsage | null } {
  let j: any;
  try {
    j = JSON.parse(text);
  } catch {
    throw new MalformedUpstream('the answer is not JSON');
  }
  const choice = j?.choices?.[0];
  if (!choice || typeof choice.message !== 'object') throw new MalformedUpstream('the answer has no choices');
  return { choice, usage: chatUsage(j.usage) };
}
