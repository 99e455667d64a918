import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/**
 * Runs axe-core (injected as a script tag of its own source; the context needs bypassCSP, since
 * the dashboard's CSP allows no inline script) on the page as it is now, and returns the
 * serious and critical violations, one line each.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // colours are measured once transitions (a toast sliding in) are over; endless ones (a pulse) never end
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(() => (window as unknown as { axe: { run(ctx: Document): Promise<unknown> } }).axe.run(document))) as AxeResult;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}
