/** What deleting a user takes with them, for the confirmation (pure, so it is unit-tested). */
export function deletionConsequences(u: { teams: unknown[]; keyCount: number }): string {
  const keys = u.keyCount === 0 ? 'no keys' : `${u.keyCount} key${u.keyCount === 1 ? '' : 's'} (calls with them stop at once)`;
  const teams = u.teams.length === 0 ? 'no team memberships' : `${u.teams.length} team membership${u.teams.length === 1 ? '' : 's'}`;
  return `This deletes the user with ${keys} and ${teams}. Their past spend stays in usage. This cannot be undone.`;
}
