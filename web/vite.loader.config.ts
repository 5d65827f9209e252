// The one-tag loader, /widget.js: a single small classic script with no dependencies.
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    outDir: resolve(__dirname, "../src/helpline/static/loader"),
    emptyOutDir: true,
    target: "es2015",
    lib: { entry: resolve(__dirname, "loader/widget-loader.ts"), name: "HelplineLoader", formats: ["iife"], fileName: () => "widget.js" },
  },
});
