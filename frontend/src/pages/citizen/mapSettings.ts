/**
 * The fault report's map settings: the build's (config.ts, `VITE_LOTSEN_TILE_URL` and friends),
 * overridden field by field by `/map-settings.json` when the installation has one beside index.html —
 * so a municipality points the map at its own tile server without a new build (docs/frontend.md).
 */
import { config } from "../../config";

export interface MapSettings {
  /** A Leaflet tile URL template with {z}, {x} and {y} (and optionally {s}). */
  tileUrl: string;
  /** The tiles' attribution, HTML as the tile provider asks for it (a link to its licence). */
  attribution: string;
  center: [number, number];
  zoom: number;
  maxZoom: number;
}

/** "59.327,14.524" or [59.327, 14.524] → [lat, lon]; null when it is not a position. */
export function parseCenter(value: unknown): [number, number] | null {
  const parts = typeof value === "string" ? value.split(",").map((p) => Number(p.trim())) : value;
  if (!Array.isArray(parts) || parts.length !== 2) return null;
  const [lat, lon] = parts as unknown[];
  if (typeof lat !== "number" || typeof lon !== "number" || !Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : null;
}

const zoomLevel = (value: unknown) => (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 22 ? value : null);

export function builtInSettings(): MapSettings {
  return {
    tileUrl: config.map.tileUrl,
    attribution: config.map.attribution,
    center: parseCenter(config.map.center) ?? [59.327, 14.524],
    zoom: config.map.zoom,
    maxZoom: config.map.maxZoom,
  };
}

/** The fields of `raw` that make sense replace those of `base`; anything else is ignored. */
export function withOverrides(base: MapSettings, raw: unknown): MapSettings {
  if (!raw || typeof raw !== "object") return base;
  const given = raw as Record<string, unknown>;
  const tileUrl = typeof given.tileUrl === "string" && /\{z\}/.test(given.tileUrl) && /\{x\}/.test(given.tileUrl) && /\{y\}/.test(given.tileUrl) ? given.tileUrl : null;
  return {
    tileUrl: tileUrl ?? base.tileUrl,
    attribution: typeof given.attribution === "string" ? given.attribution : base.attribution,
    center: parseCenter(given.center) ?? base.center,
    zoom: zoomLevel(given.zoom) ?? base.zoom,
    maxZoom: zoomLevel(given.maxZoom) ?? base.maxZoom,
  };
}

let loading: Promise<MapSettings> | null = null;

/** The settings, read once per visit; without a readable `map-settings.json` the build's. */
export function loadMapSettings(): Promise<MapSettings> {
  loading ??= fetch("/map-settings.json", { headers: { Accept: "application/json" }, cache: "no-cache" })
    .then((response) => (response.ok ? response.json() : null))
    .catch(() => null)
    .then((raw: unknown) => withOverrides(builtInSettings(), raw));
  return loading;
}
