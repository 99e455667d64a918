/**
 * The top-level `usage` of a JSON answer without parsing the whole answer (the gateway relays the
 * text as it came and only needs the counts). OpenAI-compatible upstreams write usage last
 * (`{..., "usage": {...}}`): the tail is checked for exactly that shape and only the usage object
 * is parsed. Anything else (usage elsewhere or absent, not an object, an odd tail) parses the whole
 * text as before, so a non-JSON answer still throws. The one difference: a text that starts like
 * an object and ends in a well-formed usage member is not validated in between (the client gets
 * it as it came either way).
 */
export function usageOfAnswer(text: string): unknown {
  const tail = usageTail(text);
  if (tail !== null) {
    try {
      return JSON.parse(tail);
    } catch {
      /* not the shape it looked like: the whole text decides */
    }
  }
  return (JSON.parse(text) as { usage?: unknown } | null)?.usage;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The text of the usage object when the answer is `{ ... "usage": {...} }` with usage the last member; else null. */
function usageTail(text: string): string | null {
  let s = 0;
  while (s < text.length && isSpace(text.charCodeAt(s))) s++;
  if (text.charCodeAt(s) !== 0x7b /* { */) return null;
  const at = text.lastIndexOf('"usage"');
  if (at <= s) return null;
  // a member name: preceded by `,` or `{` (a string value ending in `usage"` is preceded by other text)
  let p = at - 1;
  while (p > s && isSpace(text.charCodeAt(p))) p--;
  const before = text.charCodeAt(p);
  if (before !== 0x2c /* , */ && !(before === 0x7b && p === s)) return null;
  let i = at + 7;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i++) !== 0x3a /* : */) return null;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  const start = i;
  if (text.charCodeAt(i) !== 0x7b) return null;
  // the matching brace, strings (and their escapes) skipped
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) break;
    }
  }
  if (depth !== 0 || i >= text.length) return null;
  const end = i + 1;
  // after it, only the close of the top-level object
  let j = end;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  if (text.charCodeAt(j++) !== 0x7d) return null;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  return j === text.length ? text.slice(start, end) : null;
}
