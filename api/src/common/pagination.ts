import type { EntityManager, EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/core';
import { badInput } from './errors.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  offset: number;
  totalCount: number;
  hasNextPage: boolean;
}

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 25;

export const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

export function decodeCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw badInput('after is not a cursor returned by this API.', 'after');
  return Number(m[1]) + 1;
}

export function pageSize(first: number | null | undefined, max = MAX_PAGE): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > max)
    throw badInput(`first must be between 0 and ${max}, got ${first}.`, 'first');
  return first;
}

/** Offset-cursor pagination: stable for the orderings we use (creation time, then id). */
export async function paginate<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: PageArgs,
  orderBy: QueryOrderMap<T>,
  populate?: readonly string[],
): Promise<Page<T>> {
  const limit = pageSize(args.first);
  const offset = decodeCursor(args.after);
  const [nodes, totalCount] = await em.findAndCount(entity, where, {
    limit,
    offset,
    orderBy,
    populate: populate as never,
  });
  return { nodes, offset, totalCount, hasNextPage: offset + nodes.length < totalCount };
}
