import { registerEnumType } from 'type-graphql';

/** GraphQL enums mirror the string unions used inside, value for value. */
export enum UserRoleEnum {
  proxy_admin = 'proxy_admin',
  proxy_admin_viewer = 'proxy_admin_viewer',
  internal_user = 'internal_user',
  internal_user_viewer = 'internal_user_viewer',
}
registerEnumType(UserRoleEnum, {
  name: 'UserRole',
  description: 'Global role, as LiteLLM names them.',
  valuesConfig: {
    proxy_admin: { description: 'Platform admin: everything.' },
    proxy_admin_viewer: { description: 'Sees everything, writes nothing.' },
    internal_user: { description: 'Sees, creates and deletes own keys; sees own spend.' },
    internal_user_viewer: { description: 'Sees own keys and spend; cannot create or delete keys.' },
  },
});

export enum TeamRoleEnum {
  admin = 'admin',
  user = 'user',
}
registerEnumType(TeamRoleEnum, {
  name: 'TeamRole',
  description: 'Role inside a team.',
  valuesConfig: {
    admin: { description: 'Manages members and all keys of the team.' },
    user: { description: 'Member: uses the team and manages own team keys.' },
  },
});

export enum MembershipSourceEnum {
  manual = 'manual',
  sso = 'sso',
}
registerEnumType(MembershipSourceEnum, {
  name: 'MembershipSource',
  description: 'How a membership was made: by a person (manual) or by SSO group sync (sso).',
  valuesConfig: {
    manual: { description: 'Added by a person (GraphQL, REST or the dashboard).' },
    sso: { description: 'Made by SSO group sync.' },
  },
});

export enum AuthMethodEnum {
  master_key = 'master_key',
  session = 'session',
  virtual_key = 'virtual_key',
}
registerEnumType(AuthMethodEnum, {
  name: 'AuthMethod',
  description: 'How the caller authenticated.',
  valuesConfig: {
    master_key: { description: 'The master key (acts as default_user_id, a proxy_admin).' },
    session: { description: 'A dashboard session cookie.' },
    virtual_key: { description: 'A virtual key (sk-...), acting as its owner.' },
  },
});
