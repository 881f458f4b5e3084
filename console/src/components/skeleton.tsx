/** Placeholder rows of a table while it loads: the same height as real rows, so nothing jumps when data arrives. */
export function SkeletonRows({ rows, columns }: { rows: number; columns: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, row) => (
        <tr class="skeleton" key={row}>
          {Array.from({ length: columns }, (_, column) => (
            <td key={column}>
              <span aria-hidden="true" />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}
