/** Follows a Relay connection to its end. */
export async function allPages<T>(
  page: (after: string | undefined) => Promise<{ edges: Array<{ node: T }>; pageInfo: { hasNextPage: boolean; endCursor?: string | null } }>,
): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  for (;;) {
    const conn = await page(after);
    out.push(...conn.edges.map((e) => e.node));
    if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) return out;
    after = conn.pageInfo.endCursor;
  }
}
