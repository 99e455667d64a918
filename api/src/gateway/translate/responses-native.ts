import type { TokenUsage } from '../pricing.js';
import { MalformedUpstream, parseSse, sse, type EventTranslator } from '../stream.js';
import { responsesUsage } from '../usage.js';
import type { Translation } from '../dialects/types.js';

/**
 * Responses on a deployment that serves it (OpenAI, Azure, `responses_api: native`): the body
 * as it came (model replaced), the answer and its events byte for byte; the usage and the
 * response id are read (the id, so only the creating key may GET or DELETE it later).
 */

/** Events that carry the response object: the only ones parsed. */
const WITH_RESPONSE = new Set(['response.created', 'response.in_progress', 'response.completed', 'response.incomplete', 'response.failed', 'error']);
const FINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

class ResponsesTap implements EventTranslator {
  private used: TokenUsage | null = null;
  private responseId: string | null = null;
  private chars = 0;
  private finished = false;
  private failed = false;

  event(block: string): string {
    const { event, data } = parseSse(block);
    if (event && !WITH_RESPONSE.has(event)) {
      if (event.endsWith('.delta')) this.chars += data.length >> 1; // a rough count, for a stream cut short
      return block + '\n\n';
    }
    if (!data) return block + '\n\n';
    let j: any;
    try {
      j = JSON.parse(data);
    } catch {
      throw new MalformedUpstream(`a ${event || 'data'} event is not JSON`);
    }
    const type = typeof j?.type === 'string' ? j.type : event;
    if (!type) throw new MalformedUpstream('an event has no type');
    if (typeof j?.response?.id === 'string') this.responseId ??= j.response.id;
    if (FINAL.has(type)) {
      this.finished = true;
      this.used = responsesUsage(j.response?.usage);
    } else if (type === 'error') this.failed = true;
    else if (!event && type.endsWith('.delta')) this.chars += data.length >> 1;
    return block + '\n\n';
  }

  end() {
    return '';
  }
  usage() {
    return this.used;
  }
  id() {
    return this.responseId;
  }
  contentChars() {
    return this.chars;
  }
  done() {
    return this.finished;
  }
  error(message: string) {
    return this.failed ? '' : sse('error', { type: 'error', code: 'upstream_error', message, param: null });
  }
}

export const responsesNative: Translation = {
  endpoint: 'responses',
  stores: true,
  request: (body, d) => ({ ...body, model: d.upstreamModel }),
  response(text) {
    let j: any;
    try {
      j = JSON.parse(text);
    } catch {
      throw new MalformedUpstream('the answer is not JSON');
    }
    if (j?.object !== 'response') throw new MalformedUpstream('the answer is not a response');
    return { text, usage: responsesUsage(j.usage), id: typeof j.id === 'string' ? j.id : null };
  },
  stream: () => new ResponsesTap(),
};
