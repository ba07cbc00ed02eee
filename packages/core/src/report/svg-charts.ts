/** Inline SVG charts for the run report: no script, no fonts, no external references. */

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** A compact number: integers with separators, others to 4 significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** Colour-blind-safe palette (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

export interface LineSeries {
  name: string;
  points: Array<[number, number]>;
}

const WIDTH = 560;
const HEIGHT = 240;
const MARGIN = { top: 14, right: 16, bottom: 34, left: 64 };

/** About five round tick values covering [low, high]. */
function ticks(low: number, high: number): number[] {
  if (low === high) return [low];
  const raw = (high - low) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= raw) ?? raw;
  const values: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) values.push(Number(value.toPrecision(12)));
  return values;
}

function extent(values: number[]): [number, number] {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) {
    const pad = Math.abs(low) * 0.1 || 1;
    low -= pad;
    high += pad;
  }
  return [low, high];
}

/**
 * A line chart of one or more series against a shared x axis (e.g. loss and KD loss by step),
 * with axes, ticks, a legend, and a `<title>` tooltip on each point.
 */
export function lineChart(options: { title: string; xLabel: string; series: LineSeries[] }): string {
  const series = options.series.filter((entry) => entry.points.length > 0);
  if (series.length === 0) return '';
  const xs = series.flatMap((entry) => entry.points.map(([x]) => x));
  const ys = series.flatMap((entry) => entry.points.map(([, y]) => y));
  const [xLow, xHigh] = extent(xs);
  const [yLow, yHigh] = extent(ys);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (value: number) => MARGIN.left + ((value - xLow) / (xHigh - xLow)) * plotWidth;
  const y = (value: number) => MARGIN.top + (1 - (value - yLow) / (yHigh - yLow)) * plotHeight;
  const parts: string[] = [];
  for (const tick of ticks(yLow, yHigh)) {
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(formatNumber(tick))}</text>`);
  }
  for (const tick of ticks(xLow, xHigh)) {
    parts.push(`<text class="tick" x="${x(tick).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${escapeHtml(formatNumber(tick))}</text>`);
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}"/>`);
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom}"/>`);
  parts.push(`<text class="label" x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 4}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`);
  series.forEach((entry, index) => {
    const colour = PALETTE[index % PALETTE.length];
    const path = entry.points.map(([px, py], point) => `${point === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join('');
    parts.push(`<path class="series" data-series="${escapeHtml(entry.name)}" d="${path}" stroke="${colour}"/>`);
    // Dots only where they stay readable; each carries its value as a tooltip.
    const every = Math.max(1, Math.ceil(entry.points.length / 60));
    entry.points.forEach(([px, py], point) => {
      if (point % every !== 0 && point !== entry.points.length - 1) return;
      parts.push(`<circle data-series="${escapeHtml(entry.name)}" cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="2.5" fill="${colour}"><title>${escapeHtml(`${entry.name} @ ${options.xLabel} ${formatNumber(px)}: ${formatNumber(py)}`)}</title></circle>`);
    });
  });
  const legend = series
    .map((entry, index) => `<button type="button" class="legend-item" data-series="${escapeHtml(entry.name)}"><i style="background:${PALETTE[index % PALETTE.length]}"></i>${escapeHtml(entry.name)}</button>`)
    .join('');
  return `<figure class="chart"><figcaption>${escapeHtml(options.title)}</figcaption><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(options.title)}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`;
}

/**
 * A grouped horizontal bar chart: one group per category, one bar per model (e.g. teacher and
 * student accuracy per category). Bars start at 0 (or at the minimum when values are negative).
 */
export function groupedBarChart(options: { title: string; groups: string[]; series: Array<{ name: string; values: Array<number | undefined> }> }): string {
  const values = options.series.flatMap((entry) => entry.values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value)));
  if (values.length === 0 || options.groups.length === 0) return '';
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values) || 1;
  const barHeight = 12;
  const groupHeight = options.series.length * barHeight + 10;
  const labelWidth = 150;
  const plotWidth = WIDTH - labelWidth - 70;
  const height = options.groups.length * groupHeight + 24;
  const x = (value: number) => labelWidth + ((value - low) / (high - low)) * plotWidth;
  const parts: string[] = [];
  options.groups.forEach((group, groupIndex) => {
    const top = 6 + groupIndex * groupHeight;
    const label = group.length > 22 ? `${group.slice(0, 21)}…` : group;
    parts.push(`<text class="tick" x="${labelWidth - 8}" y="${top + (options.series.length * barHeight) / 2 + 4}" text-anchor="end">${escapeHtml(label)}<title>${escapeHtml(group)}</title></text>`);
    options.series.forEach((entry, seriesIndex) => {
      const value = entry.values[groupIndex];
      if (typeof value !== 'number' || !Number.isFinite(value)) return;
      const start = x(Math.min(0, value));
      const width = Math.max(0.5, Math.abs(x(value) - x(0)));
      const barTop = top + seriesIndex * barHeight;
      parts.push(
        `<rect x="${start.toFixed(1)}" y="${barTop}" width="${width.toFixed(1)}" height="${barHeight - 2}" fill="${PALETTE[seriesIndex % PALETTE.length]}"><title>${escapeHtml(`${entry.name}, ${group}: ${formatNumber(value)}`)}</title></rect>`,
        `<text class="value" x="${(x(Math.max(0, value)) + 4).toFixed(1)}" y="${barTop + barHeight - 3}">${escapeHtml(formatNumber(value))}</text>`,
      );
    });
  });
  parts.push(`<line class="axis" x1="${x(0).toFixed(1)}" x2="${x(0).toFixed(1)}" y1="0" y2="${height - 18}"/>`);
  const legend = options.series
    .map((entry, index) => `<span class="legend-item"><i style="background:${PALETTE[index % PALETTE.length]}"></i>${escapeHtml(entry.name)}</span>`)
    .join('');
  return `<figure class="chart"><figcaption>${escapeHtml(options.title)}</figcaption><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(options.title)}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`;
}
