import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { TokenUsage } from './pricing.js';
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

/** One server-sent event: its `event:` name (or '') and its `data:` lines joined. */
export function parseSse(block: string): { event: string; data: string } {
  let event = '';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return { event, data: data.join('\n') };
}

/** An SSE event as written to the client. */
export const sse = (event: string | null, data: unknown) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** The upstream sent something its protocol does not allow: the stream stops with the dialect's error event. */
export class MalformedUpstream extends Error {}

/**
 * Turns upstream events into client events, event by event, and keeps what billing needs.
 * Pass-through taps return the event unchanged; translations return the other protocol's events.
 */
export interface EventTranslator {
  /** what to write for one upstream event (may be ''); throws MalformedUpstream */
  event(block: string): string;
  /** what to write after the upstream's last event, when it ended normally */
  end(): string;
  /** the usage the upstream reported, once it has */
  usage(): TokenUsage | null;
  /** the id of the object the upstream created (Responses), once known */
  id?(): string | null;
  /** characters of streamed content (bills a stream without usage) */
  contentChars(): number;
  /** the upstream said its answer is complete */
  done(): boolean;
  /** the SSE error event of the client's protocol */
  error(message: string): string;
}

export interface EventRelayResult {
  complete: boolean;
  /** why the upstream stream was unusable, when it was */
  broken: string | null;
}

/** Relays an upstream SSE stream through a translator, flushing each event as it arrives. */
export async function relayEvents(
  chunks: AsyncIterable<Uint8Array | string>,
  res: ServerResponse,
  t: EventTranslator,
  signal: { readonly aborted: boolean },
): Promise<EventRelayResult> {
  const decoder = new TextDecoder();
  let buffer = '';
  let broken: string | null = null;
  const emit = async (text: string) => {
    if (!text || res.destroyed) return;
    if (!res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  };
  try {
    for await (const chunk of chunks) {
      if (signal.aborted || res.destroyed) break;
      buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      let cut: RegExpExecArray | null;
      while ((cut = /\r?\n\r?\n/.exec(buffer))) {
        const block = buffer.slice(0, cut.index);
        buffer = buffer.slice(cut.index + cut[0].length);
        if (block.trim()) await emit(t.event(block));
      }
    }
    if (buffer.trim() && !signal.aborted) await emit(t.event(buffer));
    if (!signal.aborted && !res.destroyed) {
      if (!t.done()) throw new MalformedUpstream('the upstream stream ended before the answer was complete');
      await emit(t.end());
    }
  } catch (e) {
    // a malformed upstream stream: the client gets the error event; a broken connection is an interrupted stream
    if (e instanceof MalformedUpstream) {
      broken = e.message;
      await emit(t.error(`The upstream sent a malformed stream: ${e.message}.`));
    }
  }
  const complete = !broken && !signal.aborted && !res.destroyed && t.done();
  if (!res.destroyed) res.end();
  return { complete, broken };
}
