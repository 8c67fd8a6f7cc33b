// The one obvious action of the main window: bring invoices in.
// Placeholder: the signing flow (file dialogs, Tauri drag-drop events, the queue) comes next; the
// buttons stay focusable (aria-disabled rather than disabled) so keyboard and screen-reader users
// still find them and hear why they do nothing yet.
import { h } from '../dom';
import { icon } from '../icons';
import type { Messages } from '../i18n';

export function dropZone(t: Messages): HTMLElement {
  const button = (id: string, iconName: 'file' | 'folder', label: string) =>
    h(
      'button',
      { type: 'button', class: 'button', id, 'aria-disabled': 'true', 'aria-describedby': 'drop-zone-note' },
      icon(iconName),
      label,
    );

  return h(
    'section',
    { class: 'drop-zone', id: 'drop-zone', 'aria-labelledby': 'drop-zone-title' },
    icon('documentIn', 'icon icon--drop'),
    h('h1', { class: 'drop-zone__title', id: 'drop-zone-title' }, t.dropZone.title),
    h(
      'div',
      { class: 'drop-zone__actions' },
      button('add-files', 'file', t.dropZone.addFiles),
      button('add-folder', 'folder', t.dropZone.addFolder),
    ),
    h('p', { class: 'drop-zone__note', id: 'drop-zone-note' }, t.dropZone.notYetAvailable),
  );
}
