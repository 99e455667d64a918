import { graphql } from '$lib/graphql';

/** The effective configuration, secrets already replaced by "***" on the server. */
export const SettingsQuery = graphql(`
  query Settings {
    settings {
      config
      masterKeySource
      databaseDialect
      baseUrl
      configPath
      logoutUrl
    }
  }
`);

/** Where to check what an SSO provider sends about the caller (served by the API). */
export const SSO_DEBUG_PATH = '/sso/debug/login';

/** The config's top-level sections in file order, each with its value as indented JSON. */
export function configSections(config: Record<string, unknown>): { name: string; text: string }[] {
  return Object.entries(config)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => ({ name, text: JSON.stringify(v, null, 2) }));
}
