import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` proxies the API to the services of `make run`; the built app is served by the gateway
// (lotsen/devserver/gateway.py) or, in production, by the reverse proxy in deploy/.
const services: Record<string, number> = {
  "/v1/contacts": 8001,
  "/v1/channels": 8001,
  "/v1/rules": 8002,
  "/v1/directory": 8002,
  "/v1/cases": 8003,
  "/v1/kb": 8003,
  "/v1/public": 8003,
  "/v1/privacy": 8003,
  "/v1/auth": 8003,
  "/v1/attachments": 8003,
  "/v1/subscriptions": 8004,
  "/v1/deliveries": 8004,
  "/v1/stats": 8005,
};

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: Object.fromEntries(
      Object.entries(services).map(([prefix, port]) => [prefix, `http://127.0.0.1:${port}`]),
    ),
  },
});
