/** Settings of one installation, fixed at build time (Vite's `VITE_*` environment variables). */
export const config = {
  /** The organisation whose citizens' pages these are; empty: the directory's default organisation. */
  organization: (import.meta.env.VITE_LOTSEN_ORGANIZATION as string | undefined) || undefined,
  organizationName: (import.meta.env.VITE_LOTSEN_ORGANIZATION_NAME as string | undefined) || "Karlskoga kommun",
  phone: (import.meta.env.VITE_LOTSEN_PHONE as string | undefined) || "0586-610 00",
  /**
   * The fault report's map (docs/frontend.md, "The fault report's map"): where its tiles come from, their
   * attribution, and where it opens ("lat,lon"; the organisation's town). A `map-settings.json` beside
   * index.html overrides these without a new build (pages/citizen/mapSettings.ts).
   */
  map: {
    tileUrl: (import.meta.env.VITE_LOTSEN_TILE_URL as string | undefined) || "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    attribution:
      (import.meta.env.VITE_LOTSEN_TILE_ATTRIBUTION as string | undefined) ||
      '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    center: (import.meta.env.VITE_LOTSEN_MAP_CENTER as string | undefined) || "59.327,14.524",
    zoom: 14,
    maxZoom: 19,
  },
  /** How often the workspace asks for news (milliseconds). */
  pollQueueMs: 8000,
  pollCaseMs: 5000,
  pollFiguresMs: 30000,
};
