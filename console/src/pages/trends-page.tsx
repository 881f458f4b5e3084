import type { PageProps } from '../app';

/** (being built) */
export function TrendsPage(_props: PageProps) {
  return <h1>TrendsPage</h1>;
}
