import { readFileSync } from 'node:fs';
import type { AxeResults, Result } from 'axe-core';
import { Page } from 'playwright-core';

let axeSource: string | undefined;

/** The impacts that fail a page: axe's serious and critical. */
const FAILING = new Set(['serious', 'critical']);

/**
 * Runs axe-core (the pinned package's axe.min.js, evaluated in the page) on the page as it is now,
 * with its WCAG 2 A and AA rules and best practices, and resolves with its violations.
 */
export async function axeViolations(page: Page): Promise<Result[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, not added as a <script>: a page's Content-Security-Policy
  // (the gateway's allows no inline script) does not apply to it, and the page is left as it was.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    // The whole document (axe's default context); this file is compiled without the DOM's types.
    const axe = (globalThis as unknown as { axe: { run: (options: object) => Promise<AxeResults> } }).axe;
    return axe.run({ resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
  });
  return results.violations;
}

/** One line per violation and node: rule, impact, help and the node's selector. */
export function describeViolations(violations: readonly Result[]): string {
  return violations.flatMap((v) => v.nodes.map((n) => `${v.impact ?? 'unknown'} ${v.id}: ${v.help} at ${n.target.join(' ')}`)).join('\n');
}

/**
 * Throws, listing them, when axe finds a serious or critical violation on the page (`where` names
 * the page in the message); resolves with the minor and moderate ones, for a test to report.
 */
export async function expectNoSeriousAxeViolations(page: Page, where: string): Promise<Result[]> {
  const violations = await axeViolations(page);
  const failing = violations.filter((v) => FAILING.has(v.impact ?? ''));
  if (failing.length > 0) throw new Error(`axe-core: serious or critical accessibility violations on ${where}:\n${describeViolations(failing)}`);
  return violations;
}
