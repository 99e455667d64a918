import type { Client } from '@urql/core';
import { createParser } from 'eventsource-parser';
import { dataOrToast, showFailure } from '$lib/errors';
import { graphql } from '$lib/graphql';

const PlaygroundKeyMutation = graphql(`
  mutation PlaygroundKey {
    playgroundKey(input: {}) {
      secret
      key {
        id
        expires
      }
    }
  }
`);

export interface TempKey {
  secret: string;
  expires: number;
}

/** A 15-minute personal key for Try it (refused where personal keys are); null after a toast. */
export async function mintPlaygroundKey(client: Client): Promise<TempKey | null> {
  const data = dataOrToast(await client.mutation(PlaygroundKeyMutation, {}).toPromise());
  if (!data) return null;
  const expires = data.playgroundKey.key.expires ? new Date(data.playgroundKey.key.expires).getTime() : Date.now() + 15 * 60_000;
  return { secret: data.playgroundKey.secret, expires };
}

/** A key still good for a call that may take a while (a minute of margin). */
export const stillValid = (k: TempKey | null, now = Date.now()): k is TempKey => !!k && k.expires - now > 60_000;

export interface ChatMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

/** The gateway's error text from an OpenAI-style error body, or the HTTP status. */
async function gatewayError(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    /* not JSON */
  }
  return `The gateway answered HTTP ${res.status}.`;
}

/** The models a pasted key may call (GET /v1/models), or null after a toast. */
export async function modelsOfKey(key: string): Promise<string[] | null> {
  const res = await fetch('/v1/models', { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) {
    showFailure(await gatewayError(res));
    return null;
  }
  const body = (await res.json()) as { data: { id: string }[] };
  return body.data.map((m) => m.id);
}

/**
 * Streams a chat completion through the gateway (/v1/chat/completions, SSE), calling `ondelta`
 * with each piece of text. Returns false after a toast with the gateway's message.
 */
export async function streamChat(
  o: { key: string; model: string; messages: ChatMessage[]; signal?: AbortSignal },
  ondelta: (text: string) => void,
): Promise<boolean> {
  let res: Response;
  try {
    res = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: o.model, messages: o.messages, stream: true }),
      signal: o.signal,
    });
  } catch (e) {
    if ((e as Error).name !== 'AbortError') showFailure('Could not reach the gateway. Please try again.');
    return false;
  }
  if (!res.ok || !res.body) {
    showFailure(await gatewayError(res));
    return false;
  }
  let failed: string | null = null;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return;
      try {
        const chunk = JSON.parse(event.data) as { choices?: { delta?: { content?: string } }[]; error?: { message?: string } };
        if (chunk.error) failed = chunk.error.message ?? 'The upstream failed.';
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) ondelta(text);
      } catch {
        /* a comment or keep-alive */
      }
    },
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') showFailure('The answer stopped before it was complete.');
    return false;
  }
  if (failed) {
    showFailure(failed);
    return false;
  }
  return true;
}
