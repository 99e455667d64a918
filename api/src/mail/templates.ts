import { escapeHtml } from '../http/html.js';
import type { Mail } from './mailer.js';

/** The invitation (or password reset) mail: text + HTML, both with the working link. */
export function invitationMail(o: { to: string; link: string; kind: 'invite' | 'password_reset'; expiresAt: Date; baseUrl: string }): Mail {
  const reset = o.kind === 'password_reset';
  const subject = reset ? 'Reset your Purser password' : "You're invited to Purser";
  const intro = reset
    ? 'An admin sent you a link to set a new password for Purser.'
    : 'You have been invited to Purser, where you can create your own API keys for the company LLM gateway and see your usage.';
  const until = o.expiresAt.toUTCString();
  const text = `${intro}\n\nSet your password here:\n${o.link}\n\nThe link works once and expires on ${until}.\nPurser: ${o.baseUrl}/ui/\n`;
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1d2330">
<p>${escapeHtml(intro)}</p>
<p><a href="${escapeHtml(o.link)}" style="display:inline-block;padding:10px 16px;background:#2f5bea;color:#fff;border-radius:6px;text-decoration:none">${reset ? 'Set a new password' : 'Accept the invitation'}</a></p>
<p>Or paste this link into your browser:<br><a href="${escapeHtml(o.link)}">${escapeHtml(o.link)}</a></p>
<p style="color:#667">The link works once and expires on ${escapeHtml(until)}.</p>
</body></html>`;
  return { to: o.to, subject, text, html };
}

const EVENT_TEXT = {
  soft_budget_crossed: 'crossed its soft budget',
  budget_80_percent: 'reached 80% of its budget',
  budget_exceeded: 'exceeded its budget: calls are refused until it resets',
} as const;

/** A budget alert for the key owner (alerting: ["email"]): the same facts as the webhook body. */
export function budgetAlertMail(to: string, a: {
  event: keyof typeof EVENT_TEXT;
  budget: { label: string };
  spend: number;
  max_budget: number | null;
  soft_budget: number | null;
  budget_reset_at: string | null;
}): Mail {
  const what = `The ${a.budget.label} ${EVENT_TEXT[a.event]}.`;
  const figures = `Spend: ${a.spend.toFixed(4)} USD${a.max_budget !== null ? ` of ${a.max_budget} USD` : ''}${a.soft_budget !== null ? ` (soft budget ${a.soft_budget} USD)` : ''}.`;
  const reset = a.budget_reset_at ? `The budget resets at ${a.budget_reset_at}.` : 'This budget does not reset by itself.';
  return {
    to,
    subject: `Purser budget alert: ${a.budget.label}`,
    text: `${what}\n${figures}\n${reset}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>${escapeHtml(what)}</p><p>${escapeHtml(figures)}</p><p>${escapeHtml(reset)}</p></body></html>`,
  };
}

/** The owner's notice that a key was reported leaked and is now blocked. */
export function leakedKeyMail(to: string, a: { key_name: string; key_alias: string | null; reported_where: string | null; dashboard: string }): Mail {
  const name = a.key_alias ? `"${a.key_alias}" (${a.key_name})` : a.key_name;
  const what = `Your Purser key ${name} was reported as leaked${a.reported_where ? ` (seen at ${a.reported_where})` : ''} and is now blocked: calls with it are refused.`;
  const next = 'Regenerate it in the dashboard to get a new secret for the same key (its budget, spend and settings stay), then replace the secret wherever you use it.';
  return {
    to,
    subject: `Purser: your key ${a.key_name} was blocked as leaked`,
    text: `${what}\n\n${next}\n${a.dashboard}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>${escapeHtml(what)}</p><p>${escapeHtml(next)}</p><p><a href="${escapeHtml(a.dashboard)}">${escapeHtml(a.dashboard)}</a></p></body></html>`,
  };
}

/** The owner's warning that a key expires soon (general_settings.key_expiry_warnings). */
export function keyExpiryMail(to: string, a: { key_name: string; key_alias: string | null; expires_at: string; dashboard: string }): Mail {
  const name = a.key_alias ? `"${a.key_alias}" (${a.key_name})` : a.key_name;
  const when = new Date(a.expires_at).toUTCString();
  const what = `Your Purser key ${name} expires on ${when}; calls with it are refused from then on.`;
  const next = 'If you still need it, create a new key (or ask an admin to extend this one) and replace the secret wherever you use it.';
  return {
    to,
    subject: `Purser: your key ${a.key_name} expires on ${when}`,
    text: `${what}\n\n${next}\n${a.dashboard}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>${escapeHtml(what)}</p><p>${escapeHtml(next)}</p><p><a href="${escapeHtml(a.dashboard)}">${escapeHtml(a.dashboard)}</a></p></body></html>`,
  };
}

/** The warning that a budget runs out soon at its 7-day rate (general_settings.budget_runway_warning). */
export function budgetRunwayMail(to: string, a: { budget: { label: string }; spend: number; max_budget: number; daily_rate: number; exhausted_at: string; budget_reset_at: string | null }): Mail {
  const when = new Date(a.exhausted_at).toUTCString();
  const what = `At its current rate (${a.daily_rate.toFixed(2)} USD/day over the last 7 days), the budget of ${a.budget.label} runs out on ${when}: ${a.spend.toFixed(2)} of ${a.max_budget.toFixed(2)} USD are spent.`;
  const next = a.budget_reset_at
    ? `It resets on ${new Date(a.budget_reset_at).toUTCString()}; until then calls are refused once it is used up.`
    : 'It does not reset: calls are refused once it is used up.';
  return {
    to,
    subject: `Purser: the budget of ${a.budget.label} runs out on ${when}`,
    text: `${what}\n\n${next}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>${escapeHtml(what)}</p><p>${escapeHtml(next)}</p></body></html>`,
  };
}

/** A scheduled rotation: the link to the new secret (shown once), never the secret itself. */
export function keyRotatedMail(
  to: string,
  a: { key_name: string; key_alias: string | null; previous_secret_valid_until: string | null; link: string },
): Mail {
  const name = a.key_alias ? `"${a.key_alias}"` : 'your key';
  const until = a.previous_secret_valid_until ? new Date(a.previous_secret_valid_until).toUTCString() : null;
  const what = `Purser rotated ${name} on schedule: it has a new secret (${a.key_name}).${until ? ` The previous secret keeps working until ${until}.` : ''}`;
  const next = 'Open this link to see the new secret. It works once: copy the secret then and replace the old one wherever you use it.';
  return {
    to,
    subject: `Purser: ${a.key_alias ? `key "${a.key_alias}"` : 'your key'} has a new secret`,
    text: `${what}\n\n${next}\n${a.link}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>${escapeHtml(what)}</p><p>${escapeHtml(next)}</p><p><a href="${escapeHtml(a.link)}">${escapeHtml(a.link)}</a></p></body></html>`,
  };
}

/** To a team's admins: someone asks for access they may decide. */
export function accessRequestCreatedMail(to: string, a: { requester: string; what: string; reason: string | null; link: string }): Mail {
  const what = `${a.requester} asks for ${a.what}.${a.reason ? ` Reason: ${a.reason}` : ''}`;
  const next = 'Approve or deny it in the dashboard:';
  return {
    to,
    subject: `Purser: access request from ${a.requester}`,
    text: `${what}\n\n${next}\n${a.link}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>${escapeHtml(what)}</p><p>${escapeHtml(next)}</p><p><a href="${escapeHtml(a.link)}">${escapeHtml(a.link)}</a></p></body></html>`,
  };
}

/** To the requester: their access request was approved (and applied) or denied. */
export function accessRequestDecidedMail(to: string, a: { what: string; decision: 'approved' | 'denied'; decider: string; reason: string | null; link: string }): Mail {
  const what = `Your request for ${a.what} was ${a.decision} by ${a.decider}.${a.reason ? ` Reason: ${a.reason}` : ''}`;
  return {
    to,
    subject: `Purser: your access request was ${a.decision}`,
    text: `${what}\n\n${a.link}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p>${escapeHtml(what)}</p><p><a href="${escapeHtml(a.link)}">${escapeHtml(a.link)}</a></p></body></html>`,
  };
}
