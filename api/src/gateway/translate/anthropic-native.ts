import type { TokenUsage } from '../pricing.js';
import { MalformedUpstream, parseSse, sse, type EventTranslator } from '../stream.js';
import { anthropicUsage } from '../usage.js';
import type { Translation } from '../dialects/types.js';

/**
 * Messages on an `anthropic/` deployment: the body goes as it came (model replaced), the
 * answer and its events come back byte for byte; only the usage is read.
 */

function usageOfMessage(text: string): TokenUsage | null {
  let j: any;
  try {
    j = JSON.parse(text);
  } catch {
    throw new MalformedUpstream('the answer is not JSON');
  }
  if (j?.type !== 'message') throw new MalformedUpstream('the answer is not a message');
  return anthropicUsage(j.usage);
}

/** Reads usage out of Anthropic's events without changing them. */
class MessagesTap implements EventTranslator {
  private used: TokenUsage | null = null;
  private chars = 0;
  private stopped = false;
  private failed = false;

  event(block: string): string {
    const { event, data } = parseSse(block);
    if (event === 'content_block_delta' || event === 'ping') {
      this.chars += data.length >> 1; // a rough count of the delta's text, for a stream cut short
      return block + '\n\n';
    }
    if (event === 'content_block_start' || event === 'content_block_stop') return block + '\n\n';
    let j: any;
    try {
      j = JSON.parse(data);
    } catch {
      throw new MalformedUpstream(`a ${event || 'data'} event is not JSON`);
    }
    if (j?.type === 'message_start') this.used = anthropicUsage(j.message?.usage);
    else if (j?.type === 'message_delta' && j.usage) {
      // message_delta's usage is cumulative; its input fields, when present, replace message_start's
      const d = j.usage as Record<string, unknown>;
      const prev = this.used ?? { prompt: 0, completion: 0, cacheRead: 0, cacheWrite: 0 };
      const merged = anthropicUsage({
        input_tokens: d.input_tokens ?? prev.prompt - prev.cacheRead - prev.cacheWrite,
        cache_creation_input_tokens: d.cache_creation_input_tokens ?? prev.cacheWrite,
        cache_read_input_tokens: d.cache_read_input_tokens ?? prev.cacheRead,
        output_tokens: d.output_tokens,
      });
      this.used = merged;
    } else if (j?.type === 'message_stop') this.stopped = true;
    else if (j?.type === 'error') this.failed = true;
    else if (typeof j?.type !== 'string') throw new MalformedUpstream('an event has no type');
    return block + '\n\n';
  }

  end() {
    return '';
  }
  usage() {
    return this.used;
  }
  contentChars() {
    return this.chars;
  }
  done() {
    return this.stopped;
  }
  error(message: string) {
    // the upstream's own error event already reached the client
    return this.failed ? '' : sse('error', { type: 'error', error: { type: 'api_error', message } });
  }
}

export const messagesNative: Translation = {
  endpoint: 'messages',
  request: (body, d) => ({ ...body, model: d.upstreamModel }),
  response: (text) => ({ text, usage: usageOfMessage(text) }),
  stream: () => new MessagesTap(),
};
