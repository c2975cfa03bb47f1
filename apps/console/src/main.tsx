import { render } from 'preact';
import { App } from './app.js';
import { STYLES } from './styles.js';

const style = document.createElement('style');
style.textContent = STYLES;
document.head.append(style);
render(<App />, document.getElementById('app')!);
