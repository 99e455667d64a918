import type { FastifyRequest } from 'fastify';
import { assertStorable } from '../common/unstorable.js';

/**
 * preValidation hook of the management and sign-in routes: refuses NUL in any string of the
 * JSON or form body, the query string or the path, before a handler or the database sees it.
 */
export async function rejectUnstorableInput(req: FastifyRequest): Promise<void> {
  assertStorable(req.params);
  assertStorable(req.query);
  assertStorable(req.body);
}
