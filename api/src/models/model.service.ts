import type { Ctx } from '../app/context.js';
import { authorize } from '../permissions/authorize.js';
import { Team } from '../teams/team.entity.js';
import { User } from '../users/user.entity.js';

/** Model names from model_list, in config order, without duplicates. */
export function configuredModels(ctx: Pick<Ctx, 'app'>): string[] {
  return [...new Set(ctx.app.settings.config.model_list.map((m) => m.model_name))];
}

/** A models list narrows `all`; empty = everything (LiteLLM), `no-default-models` = nothing. */
export function narrow(all: string[], allowed: string[]): string[] {
  if (allowed.includes('no-default-models')) return [];
  const list = allowed.filter((m) => m !== 'all-team-models');
  return list.length ? all.filter((m) => list.includes(m)) : all;
}

export interface ModelAccess {
  id: string;
  personal: boolean;
  teamIds: string[];
}

/** Which configured models the caller may use, through personal keys or through which teams. */
export async function modelsForCaller(ctx: Ctx): Promise<ModelAccess[]> {
  authorize(ctx.principal, 'models.read');
  const all = configuredModels(ctx);
  const user = await ctx.em.findOneOrFail(User, { id: ctx.principal!.userId! });
  const personal = new Set(narrow(all, user.models));
  const teams = await ctx.em.find(Team, { id: { $in: [...ctx.principal!.teams.keys()] } });
  return all
    .map((id) => ({ id, personal: personal.has(id), teamIds: teams.filter((t) => narrow(all, t.models).includes(id)).map((t) => t.id) }))
    .filter((m) => m.personal || m.teamIds.length);
}
