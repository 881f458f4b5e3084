import type { PageProps } from '../app';

/** (being built) */
export function BreakPage(_props: PageProps & { id: string }) {
  return <h1>BreakPage</h1>;
}
