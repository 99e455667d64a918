import { ApiError, UnreachableError } from './errors.js';
import type { TypedDocumentString } from './gql/graphql.js';

export interface Credentials {
  /** master key or virtual key: `Authorization: Bearer` */
  key: string | null;
  /** a stored session: the `Cookie` header */
  cookie: string | null;
}

interface GraphqlResponse<R> {
  data?: R | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** One GraphQL endpoint with one credential; every document is a typed one from ./gql. */
export class PurserClient {
  constructor(
    readonly url: string,
    private readonly credentials: Credentials,
  ) {}

  async request<R, V>(document: TypedDocumentString<R, V>, variables?: V): Promise<R> {
    return (await this.send(document, variables)).data;
  }

  /** The answer with the cookies it set (sign-in). */
  async send<R, V>(document: TypedDocumentString<R, V>, variables?: V): Promise<{ data: R; setCookies: string[] }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
    };
    if (this.credentials.key) headers.authorization = `Bearer ${this.credentials.key}`;
    else if (this.credentials.cookie) headers.cookie = this.credentials.cookie;
    let res: Response;
    try {
      res = await fetch(`${this.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: document.toString(), variables }) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(`cannot reach Purser at ${this.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    let body: GraphqlResponse<R>;
    try {
      body = (await res.json()) as GraphqlResponse<R>;
    } catch {
      throw new UnreachableError(`${this.url}/graphql did not answer as a GraphQL API (HTTP ${res.status}); is --url right?`);
    }
    const error = body.errors?.[0];
    if (error) throw new ApiError(error.extensions?.code ?? `HTTP_${res.status}`, error.message);
    if (!body.data) throw new UnreachableError(`${this.url}/graphql answered HTTP ${res.status} without data.`);
    return { data: body.data, setCookies: res.headers.getSetCookie() };
  }
}
