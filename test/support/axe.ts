import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * axe-core on the page as it is now (or on the part `include` selects): the serious and
 * critical WCAG 2.1 AA violations, one readable line each, so a test can expect `[]`.
 */
export async function seriousViolations(page: Page, include?: string): Promise<string[]> {
  // The mail body's sandboxed frame runs no scripts, so axe cannot look inside; its content is
  // the sender's HTML, not our interface.
  const builder = new AxeBuilder({ page })
    .exclude('iframe')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  const results = await (include ? builder.include(include) : builder).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}
