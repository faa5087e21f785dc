import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// The app loads the built files from disk (no dev server), so the build
// targets the WebKitGTK engine that Tauri uses on Linux.
export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  build: { target: 'safari15', chunkSizeWarningLimit: 2000 },
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'] },
})
