import type { PageProps } from '../app';

/** (being built) */
export function RunsPage(_props: PageProps) {
  return <h1>RunsPage</h1>;
}
