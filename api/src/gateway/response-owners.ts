/**
 * Which key created which Responses object (`resp_…`), so GET and DELETE /v1/responses/{id}
 * reach the upstream for that key only: another key gets a 404, as if the id did not exist.
 * In memory and bounded (oldest forgotten first): after a restart, earlier ids are not found.
 */
export class ResponseOwners {
  private readonly map = new Map<string, { token: string; deployment: string }>();

  constructor(private readonly maxEntries = 100_000) {}

  remember(id: string, token: string, deployment: string): void {
    if (id.length > 256) return;
    this.map.delete(id);
    this.map.set(id, { token, deployment });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }

  /** The deployment that holds the object, when `token` created it. */
  deploymentFor(id: string, token: string): string | null {
    const o = this.map.get(id);
    return o && o.token === token ? o.deployment : null;
  }

  forget(id: string): void {
    this.map.delete(id);
  }
}
