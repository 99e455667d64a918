import type { Translation } from '../dialects/types.js';
import type { EventTranslator } from '../stream.js';

/**
 * Two translations in a row through Chat Completions (Responses → Chat → Messages for an
 * `anthropic/` deployment): the outer shapes the client's side, the inner the upstream's.
 * Billing reads the inner one, which sees the upstream's own usage (cache tokens included).
 */
export function compose(outer: Translation, inner: Translation): Translation {
  return {
    endpoint: inner.endpoint,
    request(body, d, stream, ctx) {
      const middle = outer.request(body, d, stream, ctx);
      ctx.middle = middle;
      return inner.request(middle, d, stream, ctx);
    },
    response(text, clientModel, body, ctx) {
      const mid = inner.response(text, clientModel, ctx.middle ?? {}, ctx);
      const out = outer.response(mid.text, clientModel, body, ctx);
      return { text: out.text, usage: mid.usage, id: out.id ?? null };
    },
    stream(clientModel, body, ctx) {
      return new ComposedStream(inner.stream(clientModel, ctx.middle ?? {}, ctx), outer.stream(clientModel, body, ctx));
    },
  };
}

class ComposedStream implements EventTranslator {
  constructor(
    private readonly inner: EventTranslator,
    private readonly outer: EventTranslator,
  ) {}

  /** the inner translator's events, each through the outer one */
  private through(text: string): string {
    let out = '';
    for (const block of text.split('\n\n')) if (block.trim()) out += this.outer.event(block);
    return out;
  }

  event(block: string) {
    return this.through(this.inner.event(block));
  }
  end() {
    return this.through(this.inner.end()) + this.outer.end();
  }
  usage() {
    return this.inner.usage();
  }
  contentChars() {
    return this.inner.contentChars();
  }
  done() {
    return this.inner.done();
  }
  error(message: string) {
    return this.outer.error(message);
  }
}
