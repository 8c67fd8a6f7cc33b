import './styles.css';
import { mountApp } from './app/app';
import { detectLanguage } from './i18n';

const root = document.getElementById('app');
if (root) {
  mountApp(root, { language: detectLanguage(navigator.language) });
}
