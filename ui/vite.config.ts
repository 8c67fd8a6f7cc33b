import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tauri serves ui/dist itself; these keep `vite` (dev) predictable if someone runs it.
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    // The webview is a current WebKitGTK/WebView2/WKWebView, so no legacy transforms,
    // and no modulepreload polyfill (it would be dead code there).
    target: 'es2022',
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs into scripts/styles; files are easier on the CSP.
    assetsInlineLimit: 0,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    // The contrast test reads styles.css as text (`?raw`); vitest empties CSS it does not process.
    css: { include: [/styles\.css/] },
  },
});
