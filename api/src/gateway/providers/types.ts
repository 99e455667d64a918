import type { EventEmitter } from 'node:events';
import type { Deployment } from '../deployments.js';

/** An upstream protocol endpoint (OpenAI's paths; `messages` is Anthropic's Messages API). */
export type Endpoint = 'chat/completions' | 'embeddings' | 'messages' | 'messages/count_tokens' | 'responses';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
}

export interface UpstreamCall {
  deployment: Deployment;
  endpoint: Endpoint;
  /** the request body to send (model already replaced); none for GET/DELETE */
  body?: Record<string, unknown>;
  stream: boolean;
  signal: CallSignal;
  /** GET / DELETE of a stored object (`/responses/{id}`); POST otherwise */
  method?: 'POST' | 'GET' | 'DELETE';
  /** appended to the endpoint's path, already URL-encoded (`/resp_123`) */
  suffix?: string;
  /** client headers the upstream protocol defines (anthropic-version, anthropic-beta), already checked */
  forward?: Record<string, string>;
}

/** Aborts the upstream call: an EventEmitter emitting `abort`, as undici accepts in place of an AbortSignal. */
export interface CallSignal extends EventEmitter {
  readonly aborted: boolean;
  readonly reason: unknown;
}

/** What an upstream answered before any byte went to the client. */
export type UpstreamResult =
  | { kind: 'json'; status: number; text: string }
  | { kind: 'stream'; status: number; chunks: AsyncIterable<Uint8Array | string> }
  | { kind: 'error'; status: number; message: string; type: string; code: string | null; retryable: boolean };

export interface Provider {
  call(c: UpstreamCall): Promise<UpstreamResult>;
}
