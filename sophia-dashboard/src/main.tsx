import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { loadDeployments } from './api/deployments.js';
import { loadVersion } from './api/version.js';
import { operations } from './data/operations.js';
import './styles/base.css';

// Module-level loaders: stable identities, so each file is fetched once per page load.
const fetchFromSite = (input: string, init?: RequestInit) => window.fetch(input, init);
const versionLoader = (signal: AbortSignal) => loadVersion(fetchFromSite, signal);
const deploymentsLoader = (signal: AbortSignal) => loadDeployments(fetchFromSite, signal);

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <App data={operations} loadVersion={versionLoader} loadDeployments={deploymentsLoader} />
  </StrictMode>,
);
