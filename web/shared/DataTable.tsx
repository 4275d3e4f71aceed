import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Column<T> {
  key: string;
  /** Header content; also the sort button's label. */
  header: ComponentChildren;
  cell: (row: T) => ComponentChildren;
  /** Makes the column sortable by this value. */
  sortValue?: (row: T) => string | number;
  /** Class for the column's header and cells, e.g. `col-check` or `col-num`. */
  class?: string;
  /** Render the cell as a row header (`<th scope="row">`): the column that names the row. */
  rowHeader?: boolean;
}

export interface SortState {
  key: string;
  direction: 'ascending' | 'descending';
}

interface DataTableProps<T> {
  /** Names the table for assistive technology (a visually hidden caption unless `showCaption`). */
  caption: string;
  showCaption?: boolean;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  initialSort?: SortState;
  rowClass?: (row: T) => string | undefined;
  /**
   * Clicking anywhere on a row (outside its own controls) does this. Mouse convenience only:
   * a cell must also hold a button that does the same, for the keyboard.
   */
  onRowClick?: (row: T) => void;
  busy?: boolean;
  /** Extra class for the wrapper, e.g. `with-bulkbar`, which moves the sticky header down. */
  class?: string;
}

/**
 * A dense table: sticky header, optional client-side sorting with `aria-sort` on the headers,
 * and `aria-busy` while a newer page is loading.
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const { caption, columns, rows, rowKey, initialSort, rowClass, onRowClick, busy } = props;
  const [sort, setSort] = useState<SortState | undefined>(initialSort);

  const sortColumn = sort && columns.find((c) => c.key === sort.key && c.sortValue);
  const shown = sortColumn ? sortRows(rows, sortColumn.sortValue!, sort.direction) : rows;

  const toggle = (key: string) =>
    setSort((current) =>
      current?.key === key && current.direction === 'ascending'
        ? { key, direction: 'descending' }
        : { key, direction: 'ascending' },
    );

  return (
    // Focusable and named, so a keyboard can scroll the table when it is wider than the screen.
    <div
      class={`table-wrap${props.class ? ` ${props.class}` : ''}`}
      tabIndex={0}
      role="region"
      aria-label={typeof caption === 'string' ? caption : undefined}
    >
      <table class="data-table" aria-busy={busy ? 'true' : undefined}>
        <caption class={props.showCaption ? 'table-caption' : 'sr-only'}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const sorted = sort?.key === column.key ? sort.direction : undefined;
              return (
                <th
                  key={column.key}
                  scope="col"
                  class={column.class}
                  aria-sort={column.sortValue ? (sorted ?? 'none') : undefined}
                >
                  {column.sortValue ? (
                    <button type="button" class="sort-button" onClick={() => toggle(column.key)}>
                      {column.header}
                      <SortIcon direction={sorted} />
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr
              key={rowKey(row)}
              class={[rowClass?.(row), onRowClick && 'clickable-row'].filter(Boolean).join(' ') || undefined}
              onClick={
                onRowClick &&
                ((event: MouseEvent) => {
                  const target = event.target as Element;
                  if (target.closest('a, button, input, select, label, textarea')) return;
                  if (window.getSelection()?.toString()) return; // selecting text to copy it
                  onRowClick(row);
                })
              }
            >
              {columns.map((column) =>
                column.rowHeader ? (
                  <th key={column.key} scope="row" class={column.class}>
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.key} class={column.class}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function sortRows<T>(rows: T[], value: (row: T) => string | number, direction: SortState['direction']): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const order =
      typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
    return sign * order;
  });
}

function SortIcon({ direction }: { direction?: SortState['direction'] }) {
  const d =
    direction === 'ascending'
      ? 'M7 14l5-5 5 5'
      : direction === 'descending'
        ? 'M7 10l5 5 5-5'
        : 'M8 9l4-4 4 4M8 15l4 4 4-4';
  return (
    <svg
      class={`icon sort-icon${direction ? ' sort-icon-active' : ''}`}
      viewBox="0 0 24 24"
      aria-hidden="true"
    >
      <path d={d} />
    </svg>
  );
}
