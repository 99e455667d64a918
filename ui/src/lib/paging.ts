/**
 * Server-side paging in the URL: `after` is the cursor of the current page, `trail` the cursors
 * of the pages before it, so a shared link opens the same page and Previous needs no history.
 */
export function pageCursor(url: URL): string | null {
  return url.searchParams.get('after');
}

export function nextPageHref(url: URL, endCursor: string): string {
  const u = new URL(url);
  const trail = u.searchParams.get('trail');
  const current = u.searchParams.get('after');
  if (current) u.searchParams.set('trail', trail ? `${trail},${current}` : current);
  else u.searchParams.set('trail', '');
  u.searchParams.set('after', endCursor);
  return u.pathname + u.search;
}

export function previousPageHref(url: URL): string | null {
  const u = new URL(url);
  if (!u.searchParams.has('after')) return null;
  const trail = (u.searchParams.get('trail') ?? '').split(',').filter(Boolean);
  const previous = trail.pop();
  if (previous) u.searchParams.set('after', previous);
  else u.searchParams.delete('after');
  if (trail.length) u.searchParams.set('trail', trail.join(','));
  else u.searchParams.delete('trail');
  return u.pathname + u.search;
}

/** 1-based number of the page the URL shows. */
export const pageNumber = (url: URL): number => (url.searchParams.has('after') ? (url.searchParams.get('trail') ?? '').split(',').filter(Boolean).length + 2 : 1);

/** The URL with one search parameter set (or removed) and paging reset. */
export function withParam(url: URL, name: string, value: string | null): string {
  const u = new URL(url);
  if (value) u.searchParams.set(name, value);
  else u.searchParams.delete(name);
  u.searchParams.delete('after');
  u.searchParams.delete('trail');
  return u.pathname + u.search;
}
