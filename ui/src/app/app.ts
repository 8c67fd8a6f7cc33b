// The main window: environment band, drop zone, footer. State is tiny, so each change simply
// re-renders the whole window; focus is put back on the element that had it.
import type { AppInfo } from '../lib/bindings/AppInfo';
import { appInfo, CommandFailure, toCommandFailure } from '../lib/ipc';
import { h } from '../dom';
import { icon } from '../icons';
import { messages, otherLanguage, type Language, type Messages } from '../i18n';
import { dropZone } from '../sign/drop-zone';
import { environmentBand, type BandState } from './environment-band';

type InfoState =
  | { status: 'loading' }
  | { status: 'ready'; info: AppInfo }
  | { status: 'failed'; failure: CommandFailure };

export interface AppOptions {
  language: Language;
  /** Injected for tests; defaults to the real `app_info` command. */
  loadAppInfo?: () => Promise<AppInfo>;
}

export interface AppHandle {
  /** Settles once `app_info` has answered (either way) and the window shows the result. */
  ready: Promise<void>;
  setLanguage(language: Language): void;
}

export function mountApp(root: HTMLElement, options: AppOptions): AppHandle {
  let language = options.language;
  let info: InfoState = { status: 'loading' };

  const render = () => {
    const t = messages(language);
    document.documentElement.lang = language;
    const focusedId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';

    root.replaceChildren(
      environmentBand(bandState(info), t, languageSwitch(language, t, setLanguage)),
      h('main', { class: 'main' }, info.status === 'failed' && errorAlert(info.failure, t), dropZone(t)),
      footer(info, t),
    );

    if (focusedId) document.getElementById(focusedId)?.focus();
  };

  const setLanguage = (next: Language) => {
    language = next;
    render();
  };

  render();
  const ready = (options.loadAppInfo ?? appInfo)().then(
    (loaded) => {
      info = { status: 'ready', info: loaded };
      render();
    },
    (error: unknown) => {
      const failure = toCommandFailure(error);
      console.error('app_info failed', failure.code, failure.message);
      info = { status: 'failed', failure };
      render();
    },
  );

  return { ready, setLanguage };
}

function bandState(info: InfoState): BandState {
  switch (info.status) {
    case 'loading':
      return { status: 'loading' };
    case 'ready':
      return { status: 'ready', environment: info.info.environment };
    case 'failed':
      return { status: 'failed' };
  }
}

function languageSwitch(current: Language, t: Messages, onSwitch: (language: Language) => void): HTMLElement {
  const target = otherLanguage(current);
  const targetName = messages(target).languageName;
  const button = h(
    'button',
    { type: 'button', class: 'button button--on-band', id: 'language-switch', 'aria-label': t.switchLanguageTo(targetName) },
    icon('globe'),
    // The target language's own name, read in that language.
    h('span', { lang: target }, targetName),
  );
  button.addEventListener('click', () => onSwitch(target));
  return button;
}

function errorAlert(failure: CommandFailure, t: Messages): HTMLElement {
  return h(
    'div',
    { class: 'alert', id: 'error-alert', role: 'alert' },
    icon('warning', 'icon icon--alert'),
    h(
      'div',
      {},
      h('p', { class: 'alert__title' }, t.errors.appInfoFailed),
      h('p', {}, t.errors.codes[failure.code]),
      // Selectable, so it can be copied into a support request.
      h('p', { class: 'alert__detail', id: 'error-detail' }, t.errors.detail(failure.code, failure.message)),
    ),
  );
}

function footer(info: InfoState, t: Messages): HTMLElement {
  const version =
    info.status === 'ready'
      ? t.footer.version(info.info.version)
      : info.status === 'failed'
        ? t.footer.versionUnknown
        : '';
  return h(
    'footer',
    { class: 'footer' },
    h('span', {}, "Sign'Stash Desk"),
    h('span', { id: 'app-version' }, version),
  );
}
