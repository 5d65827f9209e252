// The widget (iframe app) and the console, built into the Python package's static files.
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  root: resolve(__dirname, "src"),
  base: "/static/app/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: resolve(__dirname, "../src/helpline/static/app"),
    emptyOutDir: true,
    target: "es2019",
    rollupOptions: {
      input: {
        widget: resolve(__dirname, "src/widget/index.html"),
        console: resolve(__dirname, "src/console/index.html"),
      },
    },
  },
});
