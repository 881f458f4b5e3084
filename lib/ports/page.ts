/** A page of a list and, when more follow, the opaque cursor of the next: every paged answer of the API. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}
