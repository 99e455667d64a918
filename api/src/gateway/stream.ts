import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { Usage } from './providers/types.js';

export interface RelayResult {
  usage: Usage | null;
  /** characters of streamed content: bills an interrupted stream, or one without usage */
  contentChars: number;
  /** the stream ran to its end with the client still there */
  complete: boolean;
  /** the streamed answer as one chat.completion (for the response cache), or null */
  assembled: string | null;
}

interface Choice {
  index: number;
  role: string;
  content: string;
  finish: string | null;
}

/**
 * Relays an upstream SSE stream event by event. Only what is needed is parsed: the usage chunk
 * (asked for upstream; passed to the client only if the client asked for it) and the content
 * deltas (to bill an interrupted stream and to cache a complete one).
 */
export async function relayStream(
  chunks: AsyncIterable<Uint8Array | string>,
  res: ServerResponse,
  opts: { includeUsage: boolean; signal: { readonly aborted: boolean } },
): Promise<RelayResult> {
  const decoder = new TextDecoder();
  let buffer = '';
  let usage: Usage | null = null;
  let contentChars = 0;
  let done = false;
  let meta: { id: string; created: number; model: string } | null = null;
  const choices = new Map<number, Choice>();

  const emit = async (event: string) => {
    if (res.destroyed) return;
    if (!res.write(event + '\n\n')) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  };

  const handle = async (event: string) => {
    const data = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    if (!data) return emit(event);
    if (data === '[DONE]') {
      done = true;
      return emit(event);
    }
    let obj: { id?: string; created?: number; model?: string; usage?: Usage; choices?: Array<{ index?: number; delta?: { role?: string; content?: string | null }; finish_reason?: string | null }> };
    try {
      obj = JSON.parse(data);
    } catch {
      return emit(event);
    }
    meta ??= { id: obj.id ?? '', created: obj.created ?? Math.floor(Date.now() / 1000), model: obj.model ?? '' };
    for (const c of obj.choices ?? []) {
      const i = c.index ?? 0;
      const ch = choices.get(i) ?? { index: i, role: 'assistant', content: '', finish: null };
      if (c.delta?.role) ch.role = c.delta.role;
      if (typeof c.delta?.content === 'string') {
        ch.content += c.delta.content;
        contentChars += c.delta.content.length;
      }
      if (c.finish_reason) ch.finish = c.finish_reason;
      choices.set(i, ch);
    }
    if (obj.usage) {
      usage = obj.usage;
      // the usage-only chunk exists because we asked for it: forward it only if the client did
      if (!obj.choices?.length && !opts.includeUsage) return;
    }
    return emit(event);
  };

  try {
    for await (const chunk of chunks) {
      if (opts.signal.aborted || res.destroyed) break;
      buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      let cut: RegExpExecArray | null;
      while ((cut = /\r?\n\r?\n/.exec(buffer))) {
        const event = buffer.slice(0, cut.index);
        buffer = buffer.slice(cut.index + cut[0].length);
        if (event.trim()) await handle(event);
      }
    }
    if (buffer.trim() && !opts.signal.aborted) await handle(buffer);
  } catch {
    // upstream aborted (client left) or broke mid-stream: bill what was streamed
  }
  const complete = !opts.signal.aborted && !res.destroyed && (done || choices.size > 0);
  if (!res.destroyed) res.end();
  const m = meta as { id: string; created: number; model: string } | null;
  const assembled =
    complete && m
      ? JSON.stringify({
          id: m.id,
          object: 'chat.completion',
          created: m.created,
          model: m.model,
          choices: [...choices.values()].map((c) => ({ index: c.index, message: { role: c.role, content: c.content }, finish_reason: c.finish ?? 'stop' })),
          usage: usage ?? undefined,
        })
      : null;
  return { usage, contentChars, complete, assembled };
}
