import { defineConfig } from "vitest/config";

// The desktop shell loads dist/ from disk under CSP `default-src 'self'`:
// relative asset paths, no inline scripts, no eval-based source maps.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    modulePreload: { polyfill: false },
  },
  server: {
    port: 5173,
    strictPort: true,
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.ts"],
  },
});
