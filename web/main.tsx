import { render } from 'preact';
import { App } from './App';
import './shared/base.css';
import './shared/components.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
