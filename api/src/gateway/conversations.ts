/**
 * What Responses translated to Chat Completions would otherwise lose: the conversation behind
 * a response id (`previous_response_id`), the output items behind their ids (`item_reference`,
 * which the AI SDK sends in a tool loop) and the response itself (GET / DELETE by id). Scoped
 * to the key that created them (another key finds nothing), expiring (`ttlMs`), dropped when
 * the key is deleted or changed, and bounded in memory (oldest dropped first past `maxChars`).
 * In memory: a restart, or another Purser instance, does not know them.
 */
type Item = Record<string, unknown>;

interface Entry {
  token: string;
  until: number;
  chars: number;
  history?: Item[];
  item?: Item;
  response?: string;
}

export class Conversations {
  private readonly map = new Map<string, Entry>();
  private chars = 0;

  constructor(
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxChars = 64 * 1024 * 1024,
  ) {}

  private put(key: string, token: string, e: Omit<Entry, 'token' | 'until'>) {
    this.drop(key);
    this.map.set(key, { ...e, token, until: Date.now() + this.ttlMs });
    this.chars += e.chars;
    for (const [k] of this.map) {
      if (this.chars <= this.maxChars) break;
      this.drop(k);
    }
  }

  private get(key: string, token: string): Entry | null {
    const e = this.map.get(key);
    if (!e) return null;
    if (e.until <= Date.now()) {
      this.drop(key);
      return null;
    }
    return e.token === token ? e : null;
  }

  private drop(key: string) {
    const e = this.map.get(key);
    if (!e) return;
    this.chars -= e.chars;
    this.map.delete(key);
  }

  /** A finished response: its JSON, the conversation up to and including its output, and each output item. */
  remember(token: string, id: string, responseText: string, history: Item[], output: Item[]) {
    const historyChars = JSON.stringify(history).length;
    this.put(`r:${id}`, token, { chars: responseText.length + historyChars, response: responseText, history });
    for (const it of output) if (typeof it.id === 'string') this.put(`i:${it.id}`, token, { chars: JSON.stringify(it).length, item: it });
  }

  history(id: string, token: string): Item[] | null {
    return this.get(`r:${id}`, token)?.history ?? null;
  }

  item(id: string, token: string): Item | null {
    return this.get(`i:${id}`, token)?.item ?? null;
  }

  response(id: string, token: string): string | null {
    return this.get(`r:${id}`, token)?.response ?? null;
  }

  /** DELETE /v1/responses/{id}: true when the key had it. */
  forget(id: string, token: string): boolean {
    if (!this.get(`r:${id}`, token)) return false;
    this.drop(`r:${id}`);
    return true;
  }

  /** A deleted key takes its conversations with it. */
  forgetKey(token: string) {
    for (const [k, e] of this.map) if (e.token === token) this.drop(k);
  }
}
