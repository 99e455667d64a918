import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { BudgetedEntity } from '../common/base.entity.js';

@Entity({ tableName: 'teams' })
@ObjectType('Team', { description: 'A team: shared models, budget and limits; keys can belong to it.' })
export class Team extends BudgetedEntity {
  @Field(() => ID, { description: 'Team id (LiteLLM `team_id`), given or generated.' })
  @PrimaryKey({ type: 'string', length: 128 })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Display name (LiteLLM `team_alias`).' })
  @Property({ type: 'string', length: 256, nullable: true })
  alias: string | null = null;

  @Field(() => [String], { description: 'Models the team may use; empty = all.' })
  @Property({ type: 'json' })
  models: string[] & Opt = [];

  @Field(() => Int, { nullable: true, description: 'Requests per minute for the whole team.' })
  @Property({ type: 'integer', nullable: true })
  rpmLimit: number | null = null;

  @Field(() => Int, { nullable: true, description: 'Tokens per minute for the whole team.' })
  @Property({ type: 'integer', nullable: true })
  tpmLimit: number | null = null;

  @Field(() => [String], {
    description: 'LiteLLM `team_member_permissions`, kept for REST compatibility (Purser uses its role map).',
  })
  @Property({ type: 'json' })
  memberPermissions: string[] & Opt = [];

  @Field(() => Boolean, { description: 'A blocked team: all its keys are refused.' })
  @Property({ type: 'boolean', default: false })
  blocked: boolean & Opt = false;

  @Field(() => GraphQLJSONObject, { description: 'Free-form metadata.' })
  @Property({ type: 'json' })
  metadata: Record<string, unknown> & Opt = {};

  @Field(() => GraphQLJSONObject, {
    description: 'LiteLLM `model_aliases`: a model name the team\'s keys may send (key) and the team model it stands for (value).',
  })
  // a default so existing teams get `{}` when the column is added
  @Property({ type: 'json', defaultRaw: `'{}'` })
  modelAliases: Record<string, string> & Opt = {};

  @Property({ type: 'string', length: 128, nullable: true })
  createdBy: string | null = null;
}
