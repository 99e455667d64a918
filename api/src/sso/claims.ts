import { isRole, type Role } from '../permissions/roles.js';
import type { SsoConfig } from './config.js';

export type ClaimSource = 'id_token' | 'userinfo' | 'access_token';

export interface RawClaims {
  idToken: Record<string, unknown> | null;
  userinfo: Record<string, unknown> | null;
  /** the access token's payload when it is a JWT */
  accessToken: Record<string, unknown> | null;
}

export interface Found<T> {
  value: T;
  /** where it came from, and under which claim */
  source: ClaimSource | null;
  claim: string | null;
}

/** The identity as Purser reads it from the IdP's claims. */
export interface SsoIdentity {
  id: Found<string | null>;
  email: Found<string | null>;
  emailVerified: boolean;
  name: Found<string | null>;
  /** a valid role from the configured role attribute, else null */
  role: Found<Role | null>;
  /** raw role value when present but not one of the four roles */
  ignoredRole: string | null;
  teamIds: Found<string[]>;
  /** Entra ID replaced `groups` with an overage marker (more than ~200 groups) */
  groupsOverage: boolean;
}

/** `a.b.c` paths into nested claims. */
function at(obj: Record<string, unknown> | null, path: string): unknown {
  let v: unknown = obj;
  for (const part of path.split('.')) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Claims are read from the ID token, then userinfo, then the access token; the first that has the field wins. */
export function firstClaim(raw: RawClaims, paths: string[]): Found<unknown> {
  const sources: Array<[ClaimSource, Record<string, unknown> | null]> = [
    ['id_token', raw.idToken],
    ['userinfo', raw.userinfo],
    ['access_token', raw.accessToken],
  ];
  for (const [source, obj] of sources)
    for (const path of paths) {
      const v = at(obj, path);
      if (v !== undefined && v !== null && v !== '') return { value: v, source, claim: path };
    }
  return { value: null, source: null, claim: null };
}

const asString = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

export function decodeJwtPayload(token: string | undefined): Record<string, unknown> | null {
  if (!token || token.split('.').length !== 3) return null;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function parseIdentity(cfg: SsoConfig, raw: RawClaims, teamField: string | null): SsoIdentity {
  const id = firstClaim(raw, cfg.claims.id);
  const email = firstClaim(raw, cfg.claims.email);
  const name = firstClaim(raw, cfg.claims.name);
  const verified = firstClaim(raw, ['email_verified']);
  const roleFound = cfg.claims.role ? firstClaim(raw, [cfg.claims.role]) : { value: null, source: null, claim: null };
  const roleValue = Array.isArray(roleFound.value) ? roleFound.value.find(isRole) ?? roleFound.value[0] : roleFound.value;
  const teams = teamField ? firstClaim(raw, [teamField]) : { value: null, source: null, claim: null };
  const teamIds = Array.isArray(teams.value)
    ? teams.value.map(asString).filter((x): x is string => !!x)
    : typeof teams.value === 'string'
      ? teams.value.split(/[\s,]+/).filter(Boolean)
      : [];
  const overage =
    !!firstClaim(raw, ['_claim_names.groups']).value || firstClaim(raw, ['hasgroups']).value === true;
  return {
    id: { ...id, value: asString(id.value) },
    email: { ...email, value: asString(email.value)?.trim() ?? null },
    emailVerified: cfg.emailsVerifiedByIdp || verified.value === true || verified.value === 'true',
    name: { ...name, value: asString(name.value) },
    role: { ...roleFound, value: isRole(roleValue) ? roleValue : null },
    ignoredRole: roleValue !== null && roleValue !== undefined && !isRole(roleValue) ? String(roleValue) : null,
    teamIds: { ...teams, value: [...new Set(teamIds)] },
    groupsOverage: overage,
  };
}
