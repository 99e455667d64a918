const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

/** A small readable page for browser-facing results (sign-in failures, SSO pages). */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Purser</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem}pre{background:#f4f5f7;padding:1rem;overflow:auto;border-radius:6px}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}
