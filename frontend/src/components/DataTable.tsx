/** A table that scrolls on its own on narrow screens, with a caption, column headers and a "nothing here" row. */
import type { ReactNode } from "react";

interface DataTableProps<T> {
  /** Names the caption (`<id>-caption`), which labels the scrollable region. */
  id: string;
  caption: string;
  columns: ReactNode[];
  rows: T[];
  rowKey: (item: T) => string;
  empty: string;
  /** The cells (`<td>`) of one row. */
  cells: (item: T) => ReactNode;
}

export function DataTable<T>({ id, caption, columns, rows, rowKey, empty, cells }: DataTableProps<T>) {
  return (
    <div className="table-wrap" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table className="table">
        <caption id={`${id}-caption`}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : (
            rows.map((item) => <tr key={rowKey(item)}>{cells(item)}</tr>)
          )}
        </tbody>
      </table>
    </div>
  );
}
