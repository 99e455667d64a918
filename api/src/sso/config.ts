/**
 * SSO settings from LiteLLM's environment variables. Provider precedence as LiteLLM:
 * Google → Microsoft Entra ID → generic OIDC (Okta is generic OIDC). Each preset is a claim
 * map: where the user id, email, name (and optionally role) are read from.
 */
export interface SsoConfig {
  provider: 'google' | 'microsoft' | 'generic';
  clientId: string;
  clientSecret: string | null;
  scope: string;
  /** discovery issuer (checks ID-token signatures); null = explicit endpoints */
  issuer: string | null;
  endpoints: { authorization: string; token: string; userinfo: string | null } | null;
  claims: {
    id: string[];
    email: string[];
    name: string[];
    /** only when configured: an IdP role is applied only then */
    role: string | null;
  };
  /** the IdP vouches for emails itself (Entra ID tenant accounts) */
  emailsVerifiedByIdp: boolean;
  /** plain http allowed (loopback only: local test IdPs) */
  insecure: boolean;
}

export class SsoConfigError extends Error {}

const isLoopback = (u: string) => {
  try {
    const h = new URL(u).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]' || h === '::1';
  } catch {
    return false;
  }
};

function checkUrl(name: string, v: string) {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new SsoConfigError(`${name} is not a URL: "${v}"`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(v)))
    throw new SsoConfigError(`${name} must use https (plain http only on loopback): "${v}"`);
}

const list = (v: string | undefined, dflt: string[]) => (v?.trim() ? v.split(',').map((s) => s.trim()).filter(Boolean) : dflt);

export function ssoConfigFromEnv(env: Record<string, string | undefined>): SsoConfig | null {
  if (env.GOOGLE_CLIENT_ID?.trim())
    return {
      provider: 'google',
      clientId: env.GOOGLE_CLIENT_ID.trim(),
      clientSecret: env.GOOGLE_CLIENT_SECRET?.trim() || null,
      scope: env.GENERIC_SCOPE?.trim() || 'openid email profile',
      issuer: 'https://accounts.google.com',
      endpoints: null,
      // Google ID tokens carry no groups claim: team sync needs a custom claim or another IdP
      claims: { id: ['sub'], email: ['email'], name: ['name'], role: null },
      emailsVerifiedByIdp: false,
      insecure: false,
    };
  if (env.MICROSOFT_CLIENT_ID?.trim()) {
    const tenant = env.MICROSOFT_TENANT?.trim();
    if (!tenant || ['common', 'organizations', 'consumers'].includes(tenant.toLowerCase()))
      throw new SsoConfigError('MICROSOFT_TENANT must name a concrete tenant (its id or domain), not common/organizations/consumers.');
    return {
      provider: 'microsoft',
      clientId: env.MICROSOFT_CLIENT_ID.trim(),
      clientSecret: env.MICROSOFT_CLIENT_SECRET?.trim() || null,
      scope: env.GENERIC_SCOPE?.trim() || 'openid email profile',
      issuer: `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/v2.0`,
      endpoints: null,
      claims: {
        id: [env.MICROSOFT_USER_ID_ATTRIBUTE?.trim() || 'oid'],
        email: env.MICROSOFT_USER_EMAIL_ATTRIBUTE?.trim() ? [env.MICROSOFT_USER_EMAIL_ATTRIBUTE.trim()] : ['email', 'preferred_username'],
        name: [env.MICROSOFT_USER_DISPLAY_NAME_ATTRIBUTE?.trim() || 'name'],
        role: env.GENERIC_USER_ROLE_ATTRIBUTE?.trim() || null,
      },
      emailsVerifiedByIdp: true,
      insecure: false,
    };
  }
  if (!env.GENERIC_CLIENT_ID?.trim()) return null;
  const issuer = env.GENERIC_ISSUER?.trim() || null;
  let endpoints: SsoConfig['endpoints'] = null;
  if (issuer) checkUrl('GENERIC_ISSUER', issuer);
  else {
    const authorization = env.GENERIC_AUTHORIZATION_ENDPOINT?.trim();
    const token = env.GENERIC_TOKEN_ENDPOINT?.trim();
    if (!authorization || !token)
      throw new SsoConfigError('GENERIC_CLIENT_ID is set: also set GENERIC_ISSUER, or GENERIC_AUTHORIZATION_ENDPOINT and GENERIC_TOKEN_ENDPOINT.');
    checkUrl('GENERIC_AUTHORIZATION_ENDPOINT', authorization);
    checkUrl('GENERIC_TOKEN_ENDPOINT', token);
    const userinfo = env.GENERIC_USERINFO_ENDPOINT?.trim() || null;
    if (userinfo) checkUrl('GENERIC_USERINFO_ENDPOINT', userinfo);
    endpoints = { authorization, token, userinfo };
  }
  const probe = issuer ?? endpoints!.authorization;
  return {
    provider: 'generic',
    clientId: env.GENERIC_CLIENT_ID.trim(),
    clientSecret: env.GENERIC_CLIENT_SECRET?.trim() || null,
    scope: env.GENERIC_SCOPE?.trim() || 'openid email profile',
    issuer,
    endpoints,
    claims: {
      id: list(env.GENERIC_USER_ID_ATTRIBUTE, ['sub']),
      email: list(env.GENERIC_USER_EMAIL_ATTRIBUTE, ['email']),
      name: list(env.GENERIC_USER_DISPLAY_NAME_ATTRIBUTE, ['name']),
      role: env.GENERIC_USER_ROLE_ATTRIBUTE?.trim() || null,
    },
    emailsVerifiedByIdp: false,
    insecure: new URL(probe).protocol === 'http:',
  };
}
