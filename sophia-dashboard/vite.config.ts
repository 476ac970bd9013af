import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { versionJsonPlugin } from './build/version-json.js';

// Output: index.html, version.json and content-hashed files under assets/ — the deploy
// engine serves `assets/name-<hash>.ext` as immutable and copies index.html last.
export default defineConfig({
  plugins: [react(), versionJsonPlugin()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Inline nothing: the CloudFront policy is `script-src 'self'`, and every asset should be a cacheable file.
    assetsInlineLimit: 0,
    rolldownOptions: {
      output: {
        // Libraries change far less often than the dashboard: keeping them in their own chunks means a
        // component change re-deploys one small file, not the whole bundle.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 2 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
});
