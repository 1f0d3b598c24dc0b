// The admin UI: `npm run dev:admin` serves it with hot reload on :5173 and proxies the API to the
// Tessera server (`npm start`, :4000); `npm run build:admin` writes dist/, which the server serves at `/`.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const api = process.env.TESSERA_API ?? "http://127.0.0.1:4000";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    port: 5173,
    proxy: {
      "/graphql": { target: api, ws: true },
      "/api": api,
      "/auth": api,
      "/realtime": { target: api, ws: true },
    },
  },
});
