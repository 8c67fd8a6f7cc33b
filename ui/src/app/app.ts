// The window: environment band (with the switch and navigation), the current view, footer.
// The band and view are rebuilt on language, view or environment changes; the signing queue
// lives in a controller that outlives them, and progress only updates the list and the bar.
import type { AppInfo } from '../lib/bindings/AppInfo';
import type { SignatureSettings } from '../lib/bindings/SignatureSettings';
import * as ipc from '../lib/ipc';
import { CommandFailure, toCommandFailure } from '../lib/ipc';
import { h } from '../dom';
import { icon } from '../icons';
import { messages, otherLanguage, type Language, type Messages } from '../i18n';
import { HistoryPanel } from '../history/history-view';
import { SettingsPanel } from '../settings/settings-view';
import { listenForDrops, SignController, SignView } from '../sign/sign-view';
import { WatchPanel } from '../watch/watch-view';
import { environmentBand, type BandState, type ViewName } from './environment-band';

type InfoState =
  | { status: 'loading' }
  | { status: 'ready'; info: AppInfo }
  | { status: 'failed'; failure: CommandFailure };

export interface AppOptions {
  /** From the system; the saved choice (app_info) wins once known. */
  language: Language;
}

export interface AppHandle {
  /** Settles once `app_info` has answered (either way) and the window shows the result. */
  ready: Promise<void>;
  setLanguage(language: Language): void;
}

export function mountApp(root: HTMLElement, options: AppOptions): AppHandle {
  let language = options.language;
  let info: InfoState = { status: 'loading' };
  let view: ViewName = 'sign';
  let settingsTab = 'sandbox';
  let signature: SignatureSettings | null = null;
  let alert: CommandFailure | null = null;
  let signView: SignView | null = null;
  // Kept across re-renders caused by its own saves, so its status line and tab survive.
  let settingsPanel: { panel: SettingsPanel; language: Language } | null = null;
  let watchPanel: WatchPanel | null = null;
  const controller = new SignController();
  listenForDrops(() => signView, controller);

  const showError = (error: unknown) => {
    alert = toCommandFailure(error);
    console.error('command failed', alert.code, alert.detail);
    render();
  };

  const reload = async () => {
    try {
      const loaded = await ipc.appInfo();
      info = { status: 'ready', info: loaded };
      if (loaded.language === 'pt' || loaded.language === 'en') language = loaded.language;
      else void ipc.setLanguage(language, false).catch((e: unknown) => console.error('language not sent', e));
      if (!signature) signature = (await ipc.getSettings()).settings.signature;
    } catch (error) {
      const failure = toCommandFailure(error);
      console.error('app_info failed', failure.code, failure.detail);
      info = { status: 'failed', failure };
    }
    render();
  };

  const render = () => {
    const t = messages(language);
    document.documentElement.lang = language;
    const focusedId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
    const main = h('main', { class: 'main' });
    if (info.status === 'failed') main.append(errorAlert(t.errors.appInfoFailed, info.failure, t, 'error-alert'));
    if (alert) main.append(errorAlert(t.errors.failed, alert, t, 'command-alert', () => {
      alert = null;
      render();
    }));
    signView = null;
    if (view !== 'watch') {
      watchPanel?.dispose();
      watchPanel = null;
    }
    controller.attach(null);
    if (info.status === 'ready') {
      const ready = info.info;
      if (view === 'sign') {
        signView = new SignView(
          {
            t,
            environment: ready.environment,
            signature: signature ?? defaultSignature(),
            onSignatureChange: (next) => {
              signature = next;
              void ipc.getSettings().then((v) => ipc.saveSettings({ ...v.settings, signature: next })).catch(showError);
            },
            openSettings: (id) => {
              settingsTab = id;
              settingsPanel = null;
              view = 'settings';
              render();
            },
            openHistory: () => {
              view = 'history';
              render();
            },
            showError,
          },
          controller,
        );
        main.append(signView.element);
      } else if (view === 'settings') {
        if (!settingsPanel || settingsPanel.language !== language) {
          const panel = new SettingsPanel({
            t,
            tab: settingsTab,
            onTab: (tab) => (settingsTab = tab),
            onSaved: (s) => {
              signature = s.signature;
              void reload();
            },
            showError,
          });
          settingsPanel = { panel, language };
          void panel.load();
        }
        main.append(settingsPanel.panel.element);
      } else if (view === 'watch') {
        watchPanel?.dispose();
        watchPanel = new WatchPanel({ t, environmentName: t.environment.names[ready.environment.kind], showError });
        main.append(watchPanel.element);
        void watchPanel.load();
      } else {
        const panel = new HistoryPanel({
          t,
          environments: ready.environments,
          retry: (path) => {
            view = 'sign';
            render();
            void controller.addPaths([path]);
          },
          showError,
        });
        main.append(panel.element);
        void panel.load();
      }
    } else if (view === 'sign') {
      main.append(h('section', { class: 'drop-zone', id: 'drop-zone' }, icon('documentIn', 'icon icon--drop'), h('h1', { class: 'drop-zone__title', id: 'drop-zone-title' }, t.dropZone.title)));
    }

    root.replaceChildren(
      environmentBand(bandState(info), t, {
        view,
        onView: (next) => {
          if (next === 'settings' && view !== 'settings') settingsPanel = null;
          view = next;
          alert = null;
          render();
        },
        onEnvironment: (id) => {
          if (info.status === 'ready') settingsTab = id;
          ipc.setActiveEnvironment(id).then(reload, showError);
        },
        languageSwitch: languageSwitch(language, t, setLanguage),
      }),
      main,
      footer(info, t),
    );
    if (focusedId) document.getElementById(focusedId)?.focus();
  };

  const setLanguage = (next: Language) => {
    language = next;
    render();
    ipc.setLanguage(next, true).catch((e: unknown) => console.error('language not saved', e));
  };

  render();
  const ready = reload();
  return { ready, setLanguage };
}

function defaultSignature(): SignatureSettings {
  return { reason: '', location: '', timestamp: false, visible: false, placement: 'bottomRight', page: 1, x: 36, y: 36, template: '' };
}

function bandState(info: InfoState): BandState {
  switch (info.status) {
    case 'loading':
      return { status: 'loading' };
    case 'ready':
      return { status: 'ready', environment: info.info.environment, environments: info.info.environments };
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

/** Plain words first (from Rust when it has them, else ours for the code); the code in small print. */
export function errorAlert(title: string, failure: CommandFailure, t: Messages, id: string, onClose?: () => void): HTMLElement {
  const sentence = failure.message || t.errors.codes[failure.code] || t.errors.unknown;
  const close = onClose && h('button', { type: 'button', class: 'button button--small', id: `${id}-close`, 'aria-label': t.a11y.close }, '×');
  close?.addEventListener('click', onClose!);
  return h(
    'div',
    { class: 'alert', id, role: 'alert' },
    icon('warning', 'icon icon--alert'),
    h(
      'div',
      { class: 'alert__body' },
      h('p', { class: 'alert__title' }, title),
      h('p', { class: 'alert__message', id: `${id}-message` }, sentence),
      // Selectable, so it can be copied into a support request.
      h('p', { class: 'alert__detail', id: `${id}-detail` }, t.errors.detail(failure.code, failure.detail)),
    ),
    close,
  );
}

function footer(info: InfoState, t: Messages): HTMLElement {
  const version =
    info.status === 'ready'
      ? t.footer.version(info.info.version)
      : info.status === 'failed'
        ? t.footer.versionUnknown
        : '';
  return h('footer', { class: 'footer' }, h('span', {}, "Sign'Stash Desk"), h('span', { id: 'app-version' }, version));
}
