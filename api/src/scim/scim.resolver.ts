import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { GqlContext } from '../graphql/context.js';
import { ScimToken } from './scim-token.entity.js';
import { User } from '../users/user.entity.js';
import { visibleUser } from '../users/user.service.js';
import { createScimToken, listScimTokens, readScimBaseUrl, revokeScimToken, scimBaseUrl } from './scim-token.service.js';

@InputType({ description: 'Create a SCIM provisioning token for an identity provider.' })
class CreateScimTokenInput {
  @Field(() => String, { description: 'A name to recognise it by, e.g. "Okta production" (at most 128 characters).' }) name!: string;
}

@InputType({ description: 'A SCIM token to revoke.' })
class RevokeScimTokenInput {
  @Field(() => ID, { description: 'Token id.' }) id!: string;
}

@ObjectType({ description: 'A new SCIM token with its secret: the secret is shown only here, once.' })
class CreatedScimToken {
  @Field(() => ScimToken, { description: 'The token.' }) token!: ScimToken;
  @Field(() => String, { description: 'The secret to paste into the IdP as the bearer token. Not shown again.' }) secret!: string;
  @Field(() => String, { description: 'The SCIM base URL to give the IdP: <PROXY_BASE_URL>/scim/v2.' }) baseUrl!: string;
}

@Resolver()
export class ScimTokenResolver {
  @Query(() => [ScimToken], { description: 'SCIM provisioning tokens, newest first (admins; admin viewers read only).' })
  scimTokens(@Ctx() ctx: GqlContext) {
    return listScimTokens(ctx);
  }

  @Query(() => String, { description: 'The SCIM base URL to give an identity provider: <PROXY_BASE_URL>/scim/v2 (admins; admin viewers).' })
  scimBaseUrl(@Ctx() ctx: GqlContext) {
    return readScimBaseUrl(ctx);
  }

  @Mutation(() => CreatedScimToken, { description: 'Create a SCIM token for Okta or Entra ID (proxy_admin); the secret is shown once.' })
  async createScimToken(@Ctx() ctx: GqlContext, @Arg('input', () => CreateScimTokenInput, { description: 'The mutation input.' }) input: CreateScimTokenInput) {
    const { token, secret } = await createScimToken(ctx, input.name);
    return { token, secret, baseUrl: scimBaseUrl(ctx) };
  }

  @Mutation(() => ScimToken, { description: 'Revoke a SCIM token: the IdP is refused from the next request on (proxy_admin).' })
  revokeScimToken(@Ctx() ctx: GqlContext, @Arg('input', () => RevokeScimTokenInput, { description: 'The mutation input.' }) input: RevokeScimTokenInput) {
    return revokeScimToken(ctx, input.id);
  }
}

@Resolver(() => ScimToken)
export class ScimTokenFieldsResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who created it, if the caller may see that user (null also for the master key’s admin once gone).' })
  createdByUser(@Root() t: ScimToken, @Ctx() ctx: GqlContext) {
    return t.createdBy ? visibleUser(ctx, t.createdBy) : null;
  }
}
