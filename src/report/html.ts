/** HTML text built by hand: every user string goes through `escapeHtml`. */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe in element content and in a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A table: head cells, then rows of cells already HTML; `numeric` columns right-aligned. */
export function htmlTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: (column: number) => boolean = (column) => column > 0,
): string {
  const cell = (tag: 'th' | 'td', text: string, column: number) =>
    `<${tag}${numeric(column) ? ' class="num"' : ''}>${text}</${tag}>`;
  const headRow = `<tr>${head.map((h, i) => cell('th', escapeHtml(h), i)).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((c, i) => cell('td', c, i)).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table>\n<thead>${headRow}</thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/** A definition list of label → HTML value. */
export function htmlFacts(facts: readonly (readonly [string, string])[]): string {
  const items = facts.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${value}</dd>`).join('');
  return `<dl class="facts">${items}</dl>`;
}
