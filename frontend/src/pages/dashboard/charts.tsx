/**
 * Charts (Chart.js) that everyone can read: each canvas is an image with a summary as its name, and
 * the same numbers follow as a table. Colours keep 3:1 against white; the target is a dashed line.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartData,
  type ChartOptions,
} from "chart.js";
import { Chart } from "react-chartjs-2";
import { useI18n } from "../../i18n";

ChartJS.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
ChartJS.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
ChartJS.defaults.color = "#1f2933";

export const COLORS = { bar: "#1d5fa8", second: "#2e7d32", target: "#b3261e" };

export interface Series {
  label: string;
  values: (number | null)[];
}

interface Props {
  labels: string[];
  series: Series[];
  /** A target drawn as a dashed line across the chart. */
  target?: { label: string; value: number | (number | null)[] } | null;
  kind?: "bar" | "line";
  summary: string;
  format: (value: number | null) => string;
  max?: number;
  horizontal?: boolean;
  /** The chart's heading; it names the figure for assistive technology. */
  caption?: string;
  /** Whole numbers only on the value axis (counts). */
  integer?: boolean;
  /** One colour per bar of a single series (outcome against target). */
  barColors?: string[];
}

export function FigureChart({ labels, series, target, kind = "bar", summary, format, max, horizontal, caption, integer, barColors }: Props) {
  const { t } = useI18n();
  const colors = [COLORS.bar, COLORS.second];
  const data: ChartData<"bar" | "line", (number | null)[], string> = {
    labels,
    datasets: [
      ...series.map((s, i) => ({
        type: kind,
        label: s.label,
        data: s.values,
        backgroundColor: barColors ?? colors[i % colors.length],
        borderColor: colors[i % colors.length],
        borderWidth: kind === "line" ? 3 : 0,
        pointRadius: kind === "line" ? 4 : 0,
        pointStyle: kind === "line" ? ("circle" as const) : ("rect" as const),
      })),
      ...(target
        ? [
            {
              type: "line" as const,
              label: target.label,
              data: Array.isArray(target.value) ? target.value : labels.map(() => target.value as number),
              borderColor: COLORS.target,
              backgroundColor: COLORS.target,
              borderDash: [6, 4],
              borderWidth: 2,
              pointRadius: 0,
              pointStyle: "line" as const,
            },
          ]
        : []),
    ],
  };
  const valueAxis = {
    beginAtZero: true,
    max,
    ticks: { precision: integer ? 0 : undefined, callback: (v: number | string) => format(Number(v)) },
  };
  const options: ChartOptions<"bar" | "line"> = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    indexAxis: horizontal ? "y" : "x",
    scales: horizontal ? { x: valueAxis, y: { ticks: { autoSkip: false } } } : { y: valueAxis },
    plugins: {
      legend: { position: "bottom", display: !barColors, labels: { usePointStyle: true, pointStyleWidth: 24 } },
      tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${format(ctx.parsed[horizontal ? "x" : "y"] as number)}` } },
    },
  };
  return (
    <figure className="chart">
      {caption ? (
        <figcaption>
          <h3>{caption}</h3>
        </figcaption>
      ) : null}
      <div className="chart__canvas" style={{ height: horizontal ? Math.max(160, labels.length * 36 + 60) : 240 }}>
        <Chart type="bar" data={data as ChartData<"bar">} options={options as ChartOptions<"bar">} role="img" aria-label={summary}>
          <p>{summary}</p>
        </Chart>
      </div>
      <details className="chart__table">
        <summary>{t("dashboard.showTable")}</summary>
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">{t("dashboard.category")}</th>
              {series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
              {target ? <th scope="col">{target.label}</th> : null}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.label}>{format(s.values[i] ?? null)}</td>
                ))}
                {target ? <td>{format(Array.isArray(target.value) ? (target.value[i] ?? null) : target.value)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
