/** Settings of one installation, fixed at build time (Vite's `VITE_*` environment variables). */
export const config = {
  /** The organisation whose citizens' pages these are; empty: the directory's default organisation. */
  organization: (import.meta.env.VITE_LOTSEN_ORGANIZATION as string | undefined) || undefined,
  organizationName: (import.meta.env.VITE_LOTSEN_ORGANIZATION_NAME as string | undefined) || "Karlskoga kommun",
  phone: (import.meta.env.VITE_LOTSEN_PHONE as string | undefined) || "0586-610 00",
  /** How often the workspace asks for news (milliseconds). */
  pollQueueMs: 8000,
  pollCaseMs: 5000,
  pollFiguresMs: 30000,
};
