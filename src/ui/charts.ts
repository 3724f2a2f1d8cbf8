import { html } from "hono/html";

/**
 * Bar charts as inline SVG, drawn on the server: no script, no library, readable by a
 * screen reader through the title and description (every chart also comes with a table).
 */

export interface ChartSeries {
  name: string;
  /** The CSS class that colours it (page.css). */
  className: string;
}

export interface ChartBar {
  /** Under the bar (shown for some bars only when there are many). */
  label: string;
  /** The bar's tooltip: what it counts, in words. */
  title: string;
  /** One value per series, stacked bottom up; null: no bar (nothing to show). */
  values: Array<number | null>;
}

export interface Chart {
  id: string;
  title: string;
  description: string;
  series: ChartSeries[];
  bars: ChartBar[];
  /** The top of the scale (default: the tallest stack, rounded up). */
  max?: number;
  unit?: string;
}

const WIDTH = 900;
const HEIGHT = 200;
const LEFT = 44;
const BOTTOM = 24;
const TOP = 8;
const MAX_LABELS = 12;

/** A round even number at or above `n` (2, 4, 6, 8, 10 × 10^k): the scale's middle tick is a whole count too. */
export function niceCeiling(n: number): number {
  if (n <= 2) return 2;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 4, 6, 8, 10]) if (step * power >= n && (step * power) % 2 === 0) return step * power;
  return 10 * power;
}

export function barChart(chart: Chart) {
  const stacks = chart.bars.map((bar) => bar.values.reduce<number>((sum, v) => sum + (v ?? 0), 0));
  const max = chart.max ?? niceCeiling(Math.max(0, ...stacks));
  const plotWidth = WIDTH - LEFT - 8;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(1, chart.bars.length);
  const barWidth = Math.max(1, slot * 0.8);
  const y = (value: number) => TOP + plotHeight - (value / max) * plotHeight;
  const every = Math.ceil(chart.bars.length / MAX_LABELS);
  const unit = chart.unit ?? "";
  const ticks = [0, max / 2, max].map(
    (value) => html`<g class="tick"><line x1="${LEFT}" x2="${WIDTH - 8}" y1="${y(value)}" y2="${y(value)}"></line><text x="${LEFT - 6}" y="${y(value) + 4}" text-anchor="end">${fmt(value)}${unit}</text></g>`,
  );
  const bars = chart.bars.map((bar, i) => {
    const x = LEFT + i * slot + (slot - barWidth) / 2;
    let base = 0;
    const rects = bar.values.map((value, s) => {
      if (value === null || value <= 0) return "";
      const top = y(base + value);
      const height = y(base) - top;
      base += value;
      return html`<rect class="${chart.series[s]?.className ?? ""}" x="${r(x)}" y="${r(top)}" width="${r(barWidth)}" height="${r(height)}"></rect>`;
    });
    const label = i % every === 0 ? html`<text class="label" x="${r(x + barWidth / 2)}" y="${HEIGHT - 6}" text-anchor="middle">${bar.label}</text>` : "";
    return html`<g><title>${bar.title}</title>${rects}${label}</g>`;
  });
  const legend = chart.series.length > 1 ? html`<ul class="legend">${chart.series.map((s) => html`<li><span class="swatch ${s.className}"></span>${s.name}</li>`)}</ul>` : "";
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${chart.id}-title ${chart.id}-desc" preserveAspectRatio="xMidYMid meet"><title id="${chart.id}-title">${chart.title}</title><desc id="${chart.id}-desc">${chart.description}</desc>${ticks}${bars}</svg>
${legend}</figure>`;
}

const r = (n: number) => Math.round(n * 10) / 10;
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
