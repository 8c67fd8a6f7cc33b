// The band across the top that makes the environment unmistakable: colour, icon AND words,
// so it never depends on colour perception alone.
import type { EnvironmentInfo } from '../lib/bindings/EnvironmentInfo';
import type { EnvironmentKind } from '../lib/bindings/EnvironmentKind';
import { h } from '../dom';
import { icon, type IconName } from '../icons';
import type { Messages } from '../i18n';

export type BandState =
  | { status: 'loading' }
  | { status: 'ready'; environment: EnvironmentInfo }
  | { status: 'failed' };

const KIND_ICON: Record<EnvironmentKind, IconName> = {
  sandbox: 'training',
  staging: 'flask',
  production: 'shieldCheck',
};

export function environmentBand(state: BandState, t: Messages, languageSwitch: HTMLElement): HTMLElement {
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

  band.append(h('div', { class: 'band__actions' }, languageSwitch));
  return band;
}
