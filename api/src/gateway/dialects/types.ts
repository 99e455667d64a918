import type { Conversations } from '../conversations.js';
import type { Deployment } from '../deployments.js';
import type { TokenUsage } from '../pricing.js';
import type { Endpoint } from '../providers/types.js';
import type { EventTranslator } from '../stream.js';

/** An upstream JSON answer in the client's shape, with the usage it reported. */
export interface JsonAnswer {
  text: string;
  usage: TokenUsage | null;
  /** the object's id (Responses remembers which key created it) */
  id?: string | null;
}

/** Per call: who calls, and what a translation may keep between calls (Responses conversations). */
export interface CallContext {
  token: string;
  conversations: Conversations;
  /** set by a Responses translation: the input with references and the previous conversation resolved */
  input?: Array<Record<string, unknown>>;
  /** set by a composed translation: the body between its two translations */
  middle?: Record<string, unknown>;
}

/**
 * How one client request reaches one deployment: the upstream protocol, the body sent, and the
 * answer (JSON or stream) brought back to the client's shape. A pass-through is a translation
 * that changes nothing and only reads the usage.
 */
export interface Translation {
  endpoint: Endpoint;
  /** the body for the upstream, `model` set to the deployment's */
  request(body: Record<string, unknown>, d: Deployment, stream: boolean, ctx: CallContext): Record<string, unknown>;
  /** throws MalformedUpstream when the answer is not what the protocol promises */
  response(text: string, clientModel: string, body: Record<string, unknown>, ctx: CallContext): JsonAnswer;
  stream(clientModel: string, body: Record<string, unknown>, ctx: CallContext): EventTranslator;
  /** the upstream keeps what it answered (Responses): remember which key created it */
  stores?: boolean;
}

/**
 * A request shape in, a response shape out, an error envelope: what a client speaks. The
 * gateway's pipeline (auth, admission, reservation, upstream, spend) is the same for all.
 */
export interface Dialect {
  name: 'chat' | 'embeddings' | 'messages' | 'responses';
  /** the client's endpoint: the fast path's upstream endpoint and the response cache's namespace */
  endpoint: Endpoint;
  /** spend_logs.call_type */
  callType: string;
  /** the route's checks beyond `model`; returns the protocol headers to forward */
  validate(body: Record<string, unknown>, headers: Record<string, string | string[] | undefined>): Record<string, string> | undefined;
  /** completion tokens the estimate assumes (validates the request's caps) */
  outputTokens(body: Record<string, unknown>, modelMax: number | null, fallback: number): number;
  promptChars(body: Record<string, unknown>): number;
  stream(body: Record<string, unknown>): boolean;
  /** how a deployment is called; null = the Chat Completions / Embeddings pass-through fast path */
  plan(d: Deployment): Translation | null;
  /** the error body of this protocol for an HTTP status */
  errorBody(status: number, type: string, message: string, code: string | null): unknown;
  /** spend_logs.end_user: the end user the client names */
  endUser(body: Record<string, unknown>): string | null;
}
