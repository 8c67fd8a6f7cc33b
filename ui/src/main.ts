import './styles.css';
import { mountApp } from './app/app';
import { detectLanguage } from './i18n';
import { reportWindowReady } from './lib/startup';

const root = document.getElementById('app');
if (root) {
  const app = mountApp(root, { language: detectLanguage(navigator.language) });
  void app.ready.then(reportWindowReady);
}
