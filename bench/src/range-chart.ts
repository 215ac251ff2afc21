// A horizontal "median and range" chart written as a plain SVG string: one row per measurement, a bar to its median,
// a whisker over its per-round range, dashed marks where a target sets a limit. Hand-built rather than a charting
// library: the bench needs one kind of chart, and a static, self-contained file (no scripts, no external fonts) is
// what GitHub shows in a README.

/** One measurement: a bar to `value`, a whisker from `low` to `high`, and the text printed right of the plot. */
export interface RangeRow {
  label: string;
  /** Identifies the row in the SVG (`data-key`) when the label alone does not (the same label in two sections). */
  key?: string;
  /** The median; not finite: no bar (the row says why in `valueText`). */
  value: number;
  /** Smallest and largest per-round value; not finite: no whisker. */
  low: number;
  high: number;
  /** Printed right of the plot: the numbers a reader looks for (median, range, limit). */
  valueText: string;
  color: string;
  /** Drawn lighter with an outline: a row measured another way than the others (see the legend). */
  faded?: boolean;
  /** Values where a target sets a floor or limit on this row, drawn as dashed marks across the row. */
  limits?: number[];
}

export interface RangeSection {
  /** Heading above the section's rows (omitted: the rows follow the previous section directly). */
  title?: string;
  rows: RangeRow[];
}

export interface LegendEntry {
  label: string;
  /** `bar`: a filled swatch; `faded`: a light swatch with an outline; `limit`: a dashed mark; `range`: a whisker. */
  kind: 'bar' | 'faded' | 'limit' | 'range';
  color: string;
}

export interface RangeChartSpec {
  title: string;
  /** Lines under the title: what a bar and a whisker are, where the numbers come from. */
  subtitle: string[];
  sections: RangeSection[];
  axis: {
    label: string;
    scale: 'linear' | 'log';
    /** Tick label text (units included). */
    format: (value: number) => string;
    /** Domain bounds; by default from the data (linear: from 0). */
    min?: number;
    max?: number;
  };
  /** Vertical lines across the whole plot (e.g. "unguarded = 1×"), labelled above the plot. */
  references?: { value: number; label: string }[];
  legend: LegendEntry[];
}

/** Colours shared by the bench's charts. */
export const CHART_COLORS = {
  ink: '#111827',
  muted: '#4b5563',
  grid: '#e5e7eb',
  limit: '#111827',
};

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
/** Average advance of a 12 px sans-serif character: enough to size the label column without measuring text. */
const CHAR_WIDTH = 6.6;
const PAD = 16;
const ROW_HEIGHT = 22;
const SECTION_HEIGHT = 26;
const PLOT_WIDTH = 420;

/** Escapes text for an SVG (XML) text node or attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const px = (n: number) => (Math.round(n * 10) / 10).toString();
const isFiniteNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** A "nice" tick step (1, 2, 2.5 or 5 times a power of ten) giving about `count` intervals over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power);
}

interface Scale {
  x(value: number): number;
  ticks: number[];
  domain: [number, number];
}

function makeScale(spec: RangeChartSpec, left: number): Scale {
  const values = spec.sections
    .flatMap((s) => s.rows)
    .flatMap((r) => [r.value, r.low, r.high, ...(r.limits ?? [])])
    .concat((spec.references ?? []).map((r) => r.value))
    .filter(isFiniteNumber);
  if (spec.axis.scale === 'log') {
    const positive = values.filter((v) => v > 0);
    const lo = spec.axis.min ?? 10 ** Math.floor(Math.log10(Math.min(...positive, 1)));
    const hi = spec.axis.max ?? 10 ** Math.ceil(Math.log10(Math.max(...positive, lo * 10)));
    // 1, 2 and 5 per decade while there is room for their labels; over more than two decades only the decades.
    const multiples = hi / lo > 100 ? [1] : [1, 2, 5];
    const ticks: number[] = [];
    for (let decade = lo; decade < hi * 1.001; decade *= 10) {
      for (const m of multiples) if (decade * m <= hi * 1.001) ticks.push(decade * m);
    }
    const span = Math.log10(hi) - Math.log10(lo);
    return { domain: [lo, hi], ticks, x: (v) => left + (Math.min(Math.max(Math.log10(v) - Math.log10(lo), 0), span) / span) * PLOT_WIDTH };
  }
  const lo = spec.axis.min ?? 0;
  const dataMax = Math.max(...values, lo + 1e-9);
  const step = niceStep(Math.max((spec.axis.max ?? dataMax) - lo, 1e-9), 6);
  const hi = spec.axis.max ?? Math.ceil(dataMax / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 1000; t += step) ticks.push(Math.round(t / step) * step);
  return { domain: [lo, hi], ticks, x: (v) => left + (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo) * PLOT_WIDTH };
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

function legendSwatch(entry: LegendEntry, x: number, y: number): string {
  switch (entry.kind) {
    case 'bar':
      return `<rect x="${px(x)}" y="${px(y - 9)}" width="14" height="10" fill="${entry.color}"/>`;
    case 'faded':
      return `<rect x="${px(x)}" y="${px(y - 9)}" width="14" height="10" fill="${entry.color}" fill-opacity="0.3" stroke="${entry.color}"/>`;
    case 'limit':
      return `<line x1="${px(x + 7)}" y1="${px(y - 11)}" x2="${px(x + 7)}" y2="${px(y + 3)}" stroke="${entry.color}" stroke-width="2" stroke-dasharray="3 2"/>`;
    case 'range':
      return (
        `<line x1="${px(x)}" y1="${px(y - 4)}" x2="${px(x + 14)}" y2="${px(y - 4)}" stroke="${entry.color}" stroke-width="1.5"/>` +
        `<line x1="${px(x)}" y1="${px(y - 8)}" x2="${px(x)}" y2="${px(y)}" stroke="${entry.color}" stroke-width="1.5"/>` +
        `<line x1="${px(x + 14)}" y1="${px(y - 8)}" x2="${px(x + 14)}" y2="${px(y)}" stroke="${entry.color}" stroke-width="1.5"/>`
      );
  }
}

/**
 * Renders the chart as a standalone SVG document. Every row is a `<g class="row">` carrying its key, label and median
 * in `data-key`, `data-label` and `data-value`, its bar is `rect.bar`, its whisker `g.range`, its target marks `line.limit`.
 */
export function renderRangeChart(spec: RangeChartSpec): string {
  const rows = spec.sections.flatMap((s) => s.rows);
  const longestLabel = Math.max(...rows.map((r) => r.label.length), ...spec.sections.map((s) => (s.title ?? '').length * 0.75), 10);
  const longestValue = Math.max(...rows.map((r) => r.valueText.length), 10);
  const left = PAD + Math.ceil(longestLabel * CHAR_WIDTH) + 10;
  const right = Math.ceil(longestValue * CHAR_WIDTH) + 20;
  const width = Math.max(left + PLOT_WIDTH + right + PAD, Math.ceil(spec.title.length * 9) + 2 * PAD);
  const scale = makeScale(spec, left);
  const plotRight = left + PLOT_WIDTH;

  const body: string[] = [];
  let y = PAD + 16;
  body.push(text(PAD, y, spec.title, `font-size="16" font-weight="bold" fill="${CHART_COLORS.ink}"`));
  for (const line of spec.subtitle) {
    y += 17;
    body.push(text(PAD, y, line, `font-size="12" fill="${CHART_COLORS.muted}"`));
  }
  const plotTop = y + (spec.references?.length ? 30 : 14);

  // Rows first (their y positions decide the plot's height), gridlines and references are drawn under them.
  const rowMarks: string[] = [];
  y = plotTop;
  for (const section of spec.sections) {
    if (section.title) {
      rowMarks.push(text(PAD, y + 17, section.title, `font-size="13" font-weight="bold" fill="${CHART_COLORS.ink}"`));
      y += SECTION_HEIGHT;
    }
    for (const row of section.rows) {
      const mid = y + ROW_HEIGHT / 2;
      const parts: string[] = [text(left - 8, mid + 4, row.label, `font-size="12" text-anchor="end" fill="${CHART_COLORS.ink}"`)];
      if (isFiniteNumber(row.value)) {
        const x0 = scale.x(scale.domain[0]);
        const fill = row.faded ? `fill="${row.color}" fill-opacity="0.3" stroke="${row.color}"` : `fill="${row.color}"`;
        parts.push(`<rect class="bar" x="${px(x0)}" y="${px(mid - 6)}" width="${px(Math.max(scale.x(row.value) - x0, 1))}" height="12" ${fill}/>`);
      }
      if (isFiniteNumber(row.low) && isFiniteNumber(row.high) && row.low < row.high) {
        const [a, b] = [scale.x(row.low), scale.x(row.high)];
        parts.push(
          `<g class="range" stroke="${CHART_COLORS.ink}" stroke-width="1.5">` +
            `<line x1="${px(a)}" y1="${px(mid)}" x2="${px(b)}" y2="${px(mid)}"/>` +
            `<line x1="${px(a)}" y1="${px(mid - 4)}" x2="${px(a)}" y2="${px(mid + 4)}"/>` +
            `<line x1="${px(b)}" y1="${px(mid - 4)}" x2="${px(b)}" y2="${px(mid + 4)}"/></g>`,
        );
      }
      for (const limit of (row.limits ?? []).filter(isFiniteNumber)) {
        const x = scale.x(limit);
        // A white halo under the dashes keeps the mark visible where it crosses a bar of any colour.
        parts.push(
          `<line x1="${px(x)}" y1="${px(mid - 11)}" x2="${px(x)}" y2="${px(mid + 11)}" stroke="#ffffff" stroke-width="4"/>` +
            `<line class="limit" data-value="${limit}" x1="${px(x)}" y1="${px(mid - 11)}" x2="${px(x)}" y2="${px(mid + 11)}" ` +
            `stroke="${CHART_COLORS.limit}" stroke-width="2" stroke-dasharray="4 2"/>`,
        );
      }
      parts.push(text(plotRight + 10, mid + 4, row.valueText, `font-size="12" fill="${CHART_COLORS.ink}"`));
      rowMarks.push(`<g class="row" data-key="${escapeXml(row.key ?? row.label)}" data-label="${escapeXml(row.label)}" data-value="${isFiniteNumber(row.value) ? row.value : ''}">${parts.join('')}</g>`);
      y += ROW_HEIGHT;
    }
  }
  const plotBottom = y + 4;

  for (const tick of scale.ticks) {
    const x = scale.x(tick);
    body.push(`<line x1="${px(x)}" y1="${px(plotTop)}" x2="${px(x)}" y2="${px(plotBottom)}" stroke="${CHART_COLORS.grid}"/>`);
    body.push(text(x, plotBottom + 16, spec.axis.format(tick), `font-size="11" text-anchor="middle" fill="${CHART_COLORS.muted}"`));
  }
  body.push(`<line x1="${px(left)}" y1="${px(plotBottom)}" x2="${px(plotRight)}" y2="${px(plotBottom)}" stroke="${CHART_COLORS.muted}"/>`);
  for (const reference of spec.references ?? []) {
    const x = scale.x(reference.value);
    body.push(
      `<line class="reference" x1="${px(x)}" y1="${px(plotTop - 8)}" x2="${px(x)}" y2="${px(plotBottom)}" stroke="${CHART_COLORS.muted}" stroke-width="1.2"/>`,
      text(x, plotTop - 12, reference.label, `font-size="11" text-anchor="middle" fill="${CHART_COLORS.muted}"`),
    );
  }
  body.push(...rowMarks);
  y = plotBottom + 36;
  body.push(text(left + PLOT_WIDTH / 2, y, spec.axis.label, `font-size="12" text-anchor="middle" fill="${CHART_COLORS.ink}"`));

  // Legend: swatch and text per entry, wrapped to the chart's width.
  y += 24;
  let x = PAD;
  for (const entry of spec.legend) {
    const entryWidth = 22 + Math.ceil(entry.label.length * CHAR_WIDTH) + 18;
    if (x > PAD && x + entryWidth > width - PAD) {
      x = PAD;
      y += 18;
    }
    body.push(legendSwatch(entry, x, y), text(x + 20, y, entry.label, `font-size="12" fill="${CHART_COLORS.ink}"`));
    x += entryWidth;
  }
  const height = y + PAD;

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${px(height)}" viewBox="0 0 ${width} ${px(height)}" ` +
    `role="img" aria-label="${escapeXml(spec.title)}" font-family="${escapeXml(FONT)}">\n` +
    `<title>${escapeXml(spec.title)}</title>\n` +
    // An opaque background keeps the text readable on GitHub's dark theme, which would show a transparent SVG on black.
    `<rect width="100%" height="100%" fill="#ffffff"/>\n` +
    body.join('\n') +
    '\n</svg>\n'
  );
}
