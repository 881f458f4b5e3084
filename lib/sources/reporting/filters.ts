/** A report filter as the Reporting API takes it. Field names are matched case-insensitively upstream. */
export type ReportFilter =
  | { entryType: 'Exact'; field: string; values: string[]; exclude?: boolean }
  | { entryType: 'NumericRange'; field: string; from?: string; to?: string }
  | { entryType: 'DateRange'; field: string; from?: string; to?: string };

/** A report's sort order. */
export interface ReportSort {
  field: string;
  direction: 'Asc' | 'Desc';
}

/** An `Exact` filter on one field: `exact('UserId', [id])`. */
export function exact(field: string, values: string[], exclude = false): ReportFilter {
  return { entryType: 'Exact', field, values, exclude };
}

/** A `DateRange` filter on one field, either end open: `dateRange('CreatedAt', from)`. */
export function dateRange(field: string, from?: string, to?: string): ReportFilter {
  return { entryType: 'DateRange', field, ...(from && { from }), ...(to && { to }) };
}
