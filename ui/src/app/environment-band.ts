// The band across the top that makes the environment unmistakable: colour, icon AND words,
// so it never depends on colour perception alone. It also holds the environment switch and the
// navigation (Sign, Settings, History).
import type { EnvironmentInfo } from '../lib/bindings/EnvironmentInfo';
import type { EnvironmentKindSetting as EnvironmentKind } from '../lib/bindings/EnvironmentKindSetting';
import { h } from '../dom';
import { icon, type IconName } from '../icons';
import type { Messages } from '../i18n';

export type BandState =
  | { status: 'loading' }
  | { status: 'ready'; environment: EnvironmentInfo; environments: EnvironmentInfo[] }
  | { status: 'failed' };

export type ViewName = 'sign' | 'settings' | 'history' | 'watch';

export interface BandActions {
  view: ViewName;
  onView(view: ViewName): void;
  onEnvironment(id: string): void;
  languageSwitch: HTMLElement;
}

const KIND_ICON: Record<EnvironmentKind, IconName> = {
  sandbox: 'training',
  staging: 'flask',
  production: 'shieldCheck',
};

export function environmentBand(state: BandState, t: Messages, actions: BandActions): HTMLElement {
  const band = h('header', { class: 'band', id: 'environment-band' });

  if (state.status === 'ready') {
    const { kind, signaturesValid } = state.environment;
    const name = t.environment.names[kind];
    band.classList.add(`band--${kind}`);
    band.dataset['environment'] = kind;
    band.append(
      h(
        'div',
        { class: 'band__identity' },
        icon(KIND_ICON[kind], 'icon icon--band'),
        h(
          'p',
          { class: 'band__name', id: 'environment-name' },
          h('span', { class: 'visually-hidden' }, `${t.environment.label}: `),
          name,
        ),
        h(
          'span',
          { class: `band__validity band__validity--${signaturesValid ? 'valid' : 'not-valid'}`, id: 'environment-validity' },
          icon(signaturesValid ? 'shieldCheck' : 'notValid', 'icon icon--badge'),
          signaturesValid ? t.environment.valid : t.environment.notValid,
        ),
      ),
      h('p', { class: 'band__explanation' }, t.environment.explanation[kind]),
      h('label', { class: 'band__switch-label' }, h('span', {}, `${t.nav.environmentSwitch}:`), environmentSwitch(state, t, actions)),
    );
  } else {
    // Loading and failure share a neutral look that no real environment uses.
    band.classList.add('band--unknown');
    const text = state.status === 'loading' ? t.environment.loading : t.environment.unknown;
    band.append(
      h(
        'div',
        { class: 'band__identity' },
        icon(state.status === 'loading' ? 'hourglass' : 'warning', 'icon icon--band'),
        h('p', { class: 'band__name', id: 'environment-name' }, text),
      ),
    );
  }

  const nav = h('nav', { class: 'band__actions', 'aria-label': 'Sign\'Stash Desk' });
  const views: [ViewName, IconName, string][] = [
    ['sign', 'pen', t.nav.sign],
    ['settings', 'gear', t.nav.settings],
    ['history', 'list', t.nav.history],
    ['watch', 'folder', t.watch.nav],
  ];
  for (const [view, iconName, label] of views) {
    const b = h('button', { type: 'button', class: 'button button--on-band', id: `nav-${view}`, 'aria-current': view === actions.view ? 'page' : undefined }, icon(iconName), label);
    b.addEventListener('click', () => actions.onView(view));
    nav.append(b);
  }
  nav.append(actions.languageSwitch);
  band.append(nav);
  return band;
}

function environmentSwitch(state: Extract<BandState, { status: 'ready' }>, t: Messages, actions: BandActions): HTMLElement {
  const select = h('select', { id: 'environment-switch', class: 'band__switch', 'aria-label': t.nav.environmentSwitch });
  for (const e of state.environments) {
    select.append(h('option', { value: e.id, selected: e.id === state.environment.id }, t.environment.names[e.kind]));
  }
  select.addEventListener('change', () => actions.onEnvironment(select.value));
  return select;
}
