import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatTime } from '../format';
import type { TrendSeries } from '../trends';

const COLOURS = ['#2f7d32', '#9a6700', '#c2410c', '#b91c1c', '#0b5cad', '#6b21a8', '#0f766e', '#be185d', '#4d7c0f', '#1e3a8a'];
const HEIGHT = 240;

/** The x range of a chart of one run: the hour either side of it. */
function oneHourAround(seconds: number): uPlot.Range.MinMax {
  return [seconds - 3600, seconds + 3600];
}

/** The value axis's width: about 7.5 px a character of its longest label, with room for the ticks. */
function axisWidth(_plot: uPlot, values: string[] | null): number {
  const longest = Math.max(0, ...(values ?? []).map((value) => value.length));
  return Math.max(50, Math.ceil(longest * 7.5) + 20);
}

/**
 * A uPlot line chart in a labelled figure, with its figures as a table beneath (exact texts, for a
 * screen reader and for anyone who wants the numbers rather than the picture).
 */
export function Chart({
  label,
  times,
  series,
  colours = COLOURS,
}: {
  label: string;
  times: number[];
  series: TrendSeries[];
  colours?: string[];
}) {
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = target.current;
    if (!element || times.length === 0) return;
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height: HEIGHT,
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        series: [
          {},
          ...series.map((line, index) => ({ label: line.name, stroke: colours[index % colours.length], width: 2, spanGaps: false })),
        ],
        // One run is a point: an hour either side of it, not uPlot's default of years.
        scales: { x: { time: true, ...(times.length === 1 && { range: oneHourAround(times[0] ?? 0) }) } },
        // Wide enough for a value axis in the hundreds of millions, grouped.
        axes: [{}, { size: axisWidth }],
      },
      [times, ...series.map((line) => line.values)],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, colours]);
  return (
    <figure aria-label={label}>
      <figcaption>{label}</figcaption>
      {times.length === 0 ? (
        <p class="chart">No finished run with break totals yet.</p>
      ) : (
        <div class="chart" ref={target} aria-hidden="true" />
      )}
      <details>
        <summary>Figures</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Run finished</th>
                {series.map((line) => (
                  <th scope="col" key={line.name}>
                    {line.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {times.map((time, row) => (
                <tr key={time}>
                  <td>{formatTime(new Date(time * 1000).toISOString().replace(/\.\d+Z$/, 'Z'))}</td>
                  {series.map((line) => (
                    <td key={line.name} class="num">
                      {line.texts[row]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
