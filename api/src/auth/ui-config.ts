import { Field, ObjectType, Query, Resolver, Ctx } from 'type-graphql';
import type { App } from '../app/context.js';
import type { GqlContext } from '../graphql/context.js';

/** Where SSO sign-in starts (outside the dashboard). */
export const SSO_LOGIN_PATH = '/sso/key/generate';

/**
 * What a sign-in page needs before anyone signs in: public, no secrets. One place for both
 * surfaces: GraphQL `uiConfig` (the dashboard) and LiteLLM's `GET /ui-config`.
 */
export function uiConfigOf(app: App) {
  const sso = app.sso;
  return {
    ssoEnabled: !!sso,
    ssoProvider: sso?.provider ?? null,
    autoRedirectToSso: !!sso && app.settings.config.general_settings.auto_redirect_ui_login_to_sso === true,
    ssoLoginUrl: sso ? SSO_LOGIN_PATH : null,
    logoutUrl: app.settings.logoutUrl,
    uiAccessMode: app.settings.config.general_settings.ui_access_mode ?? 'all',
  };
}

@ObjectType('UiConfig', { description: 'Public settings a sign-in page needs before anyone signs in.' })
class UiConfigType {
  @Field(() => Boolean, { description: 'Whether single sign-on is configured.' })
  ssoEnabled!: boolean;

  @Field(() => String, { nullable: true, description: 'The SSO provider kind (google, microsoft or generic), when SSO is configured.' })
  ssoProvider!: string | null;

  @Field(() => Boolean, { description: 'Whether the sign-in page goes straight to SSO (`auto_redirect_ui_login_to_sso`).' })
  autoRedirectToSso!: boolean;

  @Field(() => String, { nullable: true, description: 'Where SSO sign-in starts, when SSO is configured.' })
  ssoLoginUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'Where signing out leads (`PROXY_LOGOUT_URL`); null = the sign-in page.' })
  logoutUrl!: string | null;

  @Field(() => String, { description: 'Who may use the dashboard (`ui_access_mode`: all or admin_only).' })
  uiAccessMode!: string;
}

@Resolver()
export class UiConfigResolver {
  @Query(() => UiConfigType, { description: 'Public settings for the sign-in page (no sign-in needed, no secrets).' })
  uiConfig(@Ctx() ctx: GqlContext): UiConfigType {
    return uiConfigOf(ctx.app);
  }
}
