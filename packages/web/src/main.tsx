/**
 * @module main
 *
 * Entry point: renders the app into `#app`. The page's only script is this bundle, served from
 * the app's own origin under a CSP without inline script, `unsafe-eval` or Trusted Types
 * policies, so nothing here may write HTML as a string.
 */
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
