import type { PageProps } from '../app';

/** (being built) */
export function RunPage(_props: PageProps & { id: string }) {
  return <h1>RunPage</h1>;
}
