import '../http/fastify-types.js';
import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { GqlContext } from '../graphql/context.js';
import { AuthMethodEnum, type CallerMethod } from '../graphql/enums.js';
import { authorize, reachOf } from '../permissions/authorize.js';
import { OPERATIONS } from '../permissions/map.js';
import { User } from '../users/user.entity.js';
import { findUser } from '../users/user.service.js';
import { clearSessionCookie, setSessionCookie } from '../http/cookies.js';
import { refuseCrossSite } from '../http/request-context.js';
import { principalForUser } from './credentials.js';
import { AppError } from '../common/errors.js';
import { changePassword, passwordLogin } from './login.service.js';
import { endSession, SESSION_COOKIE } from './session.service.js';

@ObjectType({ description: 'An operation of the role map the caller may perform, and over what.' })
export class OperationPermission {
  @Field(() => String, { description: 'Operation name from the role map, e.g. key.generate.self.' })
  operation!: string;

  @Field(() => String, { description: 'Scope: `all`, `own`, or `team` (objects of the listed teams).' })
  scope!: string;

  @Field(() => [String], { description: 'For team scope: the team ids.' })
  teamIds!: string[];
}

@ObjectType({ description: 'The caller: who they are and what they may do.' })
export class Viewer {
  @Field(() => AuthMethodEnum, { description: 'How the caller authenticated.' })
  authMethod!: CallerMethod;

  @Field(() => User, { description: 'The caller as a user.' })
  user!: User;

  @Field(() => [OperationPermission], { description: 'Operations the caller may perform (generated from the role map).' })
  permissions!: OperationPermission[];
}

@InputType({ description: 'Email (or the admin username) and password.' })
class LoginInput {
  @Field(() => String, { description: 'Email, or `admin` (UI_USERNAME) for the master-key admin.' })
  email!: string;

  @Field(() => String, { description: 'Password (the master key or UI_PASSWORD for admin).' })
  password!: string;
}

export function permissionsOf(ctx: GqlContext): OperationPermission[] {
  const p = ctx.principal;
  if (!p) return [];
  const out: OperationPermission[] = [];
  for (const op of OPERATIONS) {
    const r = reachOf(p, op);
    const teamIds = [...r.teams, ...r.ownInTeams];
    if (r.all) out.push({ operation: op, scope: 'all', teamIds: [] });
    else if (r.own) out.push({ operation: op, scope: 'own', teamIds });
    else if (teamIds.length) out.push({ operation: op, scope: 'team', teamIds });
  }
  return out;
}

@InputType({ description: 'Your current and new password.' })
class ChangePasswordInput {
  @Field(() => String, { description: 'Current password.' })
  currentPassword!: string;

  @Field(() => String, { description: 'New password: 8-128 characters, not easy to guess.' })
  newPassword!: string;
}

@Resolver()
export class AuthResolver {
  @Query(() => Viewer, { description: 'The caller, with the operations they may perform.' })
  async me(@Ctx() ctx: GqlContext): Promise<Viewer> {
    authorize(ctx.principal, 'me.read');
    const user = await findUser(ctx, ctx.principal!.userId!);
    return { authMethod: ctx.principal!.method as CallerMethod, user, permissions: permissionsOf(ctx) };
  }

  @Mutation(() => Viewer, { description: 'Sign in with email and password; sets the session cookie.' })
  async login(@Ctx() ctx: GqlContext, @Arg('input', () => LoginInput, { description: 'The operation input.' }) input: LoginInput): Promise<Viewer> {
    // Apollo's CSRF prevention already stops simple cross-site forms; this also stops foreign Origins
    refuseCrossSite(ctx.app, ctx.request);
    let res;
    try {
      res = await passwordLogin(ctx, input.email, input.password, ctx.request.ip);
    } catch (e) {
      // throttled sign-ins carry retry-after on the HTTP response too
      if (e instanceof AppError) for (const [k, v] of Object.entries(e.headers)) ctx.reply.header(k, v);
      throw e;
    }
    const { user, cookie } = res;
    setSessionCookie(ctx.app, ctx.reply, cookie);
    const signedIn = { ...ctx, principal: await principalForUser(ctx, user, 'session') };
    return { authMethod: AuthMethodEnum.SESSION, user, permissions: permissionsOf(signedIn) };
  }

  @Mutation(() => Boolean, { description: 'Change your own password; your other sessions end.' })
  async changePassword(@Ctx() ctx: GqlContext, @Arg('input', () => ChangePasswordInput, { description: 'The mutation input.' }) input: ChangePasswordInput): Promise<boolean> {
    await changePassword(ctx, input.currentPassword, input.newPassword);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Sign out: ends the session and clears the cookie.' })
  async logout(@Ctx() ctx: GqlContext): Promise<boolean> {
    const cookie = ctx.request.cookies?.[SESSION_COOKIE];
    if (cookie) await endSession(ctx, cookie);
    clearSessionCookie(ctx.reply);
    return true;
  }
}
