import { defineConfig } from 'vitest/config';

// The app is loaded from disk by Tauri (custom protocol), so assets use
// relative paths; the dev server port is fixed for `tauri dev`.
export default defineConfig({
  base: './',
  server: { port: 5173, strictPort: true },
  build: { target: 'safari15', outDir: 'dist', emptyOutDir: true },
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts', 'src/**/*.test.tsx'] },
});
