import { render } from 'preact';
import { Root } from './app';
import './style.css';

const el = document.getElementById('root');
if (el) render(<Root />, el);
