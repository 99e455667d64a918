/** Settings Purser adds on top of LiteLLM's; the README lists them from here. */

/** Our additions to general_settings (not in LiteLLM), listed in the README. */
export const OUR_GENERAL_SETTINGS: Array<{ key: string; description: string }> = [
  { key: 'spend_log_batch_max_rows', description: 'Most spend-log rows written in one batch (default 1000).' },
  { key: 'spend_spill_max_rows', description: 'Most spend rows kept in <data>/spend-spill.jsonl while the database is unreachable; when full, gateway calls are refused with 503 until it answers (default 100000).' },
  { key: 'key_expiry_warnings', description: 'How long before a key expires its owner is warned by mail and the alert webhook, once each (default ["7d", "1d"]; [] turns the warnings off).' },
  { key: 'budget_runway_warning', description: 'How soon a budget must run out, at its 7-day spend rate and before its reset, for its owner (and a team budget\'s team admins) to be warned by mail and the alert webhook, once per budget window (default 3d).' },
  { key: 'key_rotation_max_grace_period', description: 'Longest grace_period a key regeneration may give the old secret (default 7d).' },
  { key: 'key_rotation_grace_period', description: 'How long the old secret keeps working after a scheduled (auto_rotate) rotation (default 24h).' },
  { key: 'access_request_ttl', description: 'How long an access request stays pending before it expires (default 14d).' },
  { key: 'invitation_link_duration', description: 'How long an invitation link stays valid (default 7d).' },
  { key: 'login_max_failures', description: 'Failed password logins per account within login_failure_window before that account is locked (default 5).' },
  { key: 'login_max_failures_per_address', description: 'Failed password logins from one client address (any accounts) within login_failure_window before that address is locked (default 100).' },
  { key: 'login_failure_window', description: 'Window in which failed logins are counted (default 15m).' },
  { key: 'login_lockout_duration', description: 'How long an account (or address) stays locked after too many failures (default 15m).' },
  { key: 'sso_team_sync', description: '"additive" only adds SSO team memberships; "authoritative" also removes ones the IdP no longer lists (default additive).' },
  { key: 'sso_team_id_pattern', description: 'Regular expression an SSO group must match to be synced as a team.' },
  { key: 'graphql_max_depth', description: 'Deepest GraphQL query accepted (default 10).' },
  { key: 'graphql_max_cost', description: 'Highest estimated GraphQL query cost accepted (default 1000).' },
  { key: 'default_max_tokens_estimate', description: 'Output tokens a budget reservation assumes when neither the request (max_tokens) nor the model (model_info.max_output_tokens, the built-in table) says how many a call may produce (default 4096).' },
  { key: 'metrics_user_labels', description: 'Put user ids and end-user values into the user / end_user labels of /metrics (default false: they stay empty, so no personal data and no per-user series).' },
  { key: 'metrics_max_series', description: 'Most label sets kept per metric on /metrics; further ones are counted in one "other" series and in purser_metrics_series_dropped_total (default 10000).' },
];
