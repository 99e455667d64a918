import type { FastifyReply, FastifyRequest } from 'fastify';

export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The media type of a response that Apollo does not write itself (a body fastify could not
 * parse): the one the client prefers of the two the GraphQL-over-HTTP spec defines, as Apollo
 * chooses for its own answers. Without an Accept header, application/json (the spec's legacy rule).
 */
export function graphqlMediaType(accept: string | undefined): string {
  let best: { type: string; q: number } | null = null;
  for (const part of (accept ?? '').split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';').map((p) => p.trim());
    const type = range === 'application/graphql-response+json' ? GRAPHQL_RESPONSE_JSON : range === 'application/json' ? JSON_TYPE : null;
    if (!type) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { type, q };
  }
  return best?.type ?? JSON_TYPE;
}

export const isGraphqlRoute = (req: FastifyRequest) => req.url.split('?')[0] === '/graphql';

/** A request /graphql could not even read (bad JSON body, too large): a GraphQL response with errors only. */
export function sendGraphqlRequestError(req: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  return reply
    .status(status)
    .header('content-type', graphqlMediaType(req.headers.accept))
    .send(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }));
}
