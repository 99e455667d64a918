export { ConfigError, formatPath } from './errors.js';
export { OUR_GENERAL_SETTINGS } from './ours.js';
export { loadConfigFile, parseConfig, type LoadedConfig } from './load.js';
export {
  IMPLEMENTED_KEYS,
  TEAM_MEMBER_ROLES,
  USER_ROLES,
  type GeneralSettings,
  type LitellmSettings,
  type ModelEntry,
  type PurserConfig,
} from './schema.js';
