// In the signature options: the preset picker (create, rename, delete, export, import) and the
// "Place on preview…" button with a line saying where the box will go.
import type { Messages } from '../i18n';
import type { Preset } from '../lib/bindings/Preset';
import type { PresetPlacement } from '../lib/bindings/PresetPlacement';
import * as ipc from '../lib/ipc';
import { h } from '../dom';
import { openPdf, type OpenPdf } from './pdf';
import * as placementIpc from './placement-ipc';
import type { PlacementState } from './placement-state';
import { PreviewDialog } from './preview-dialog';

export interface PlacementPanelContext {
  t: Messages;
  state: PlacementState;
  /** The PDFs in the list, in order. */
  pdfs(): string[];
  showError(error: unknown): void;
}

export const DEFAULT_PLACEMENT: PresetPlacement = { page: 1, lastPage: false, left: 0.6, bottom: 0.05, width: 180, height: 50 };

export async function openListedPdf(path: string): Promise<OpenPdf> {
  return openPdf(await placementIpc.pdfForPreview(path));
}

/** Sets an option field of the sign view the way the user would, so it saves through its own handler. */
function setOption(id: string, value: string | boolean): void {
  const input = document.getElementById(id);
  if (!(input instanceof HTMLInputElement)) return;
  if (typeof value === 'boolean') input.checked = value;
  else input.value = value;
  input.dispatchEvent(new Event('change'));
}

function optionValue(id: string): string {
  const input = document.getElementById(id);
  return input instanceof HTMLInputElement ? input.value : '';
}

function optionChecked(id: string): boolean {
  const input = document.getElementById(id);
  return input instanceof HTMLInputElement && input.checked;
}

export function placementPanel(context: PlacementPanelContext): HTMLElement {
  const t = context.t.placement;
  let presets: Preset[] = [];
  const select = h('select', { id: 'preset-select' });
  const name = h('input', { type: 'text', id: 'preset-name', maxlength: '80', placeholder: t.presetName, 'aria-label': t.presetName });
  const note = h('p', { class: 'placement__note', id: 'preset-note', role: 'status' });
  const summary = h('p', { class: 'placement__summary', id: 'placement-summary' });
  const button = (id: string, label: string, onClick: () => void | Promise<void>) => {
    const b = h('button', { type: 'button', class: 'button', id }, label);
    b.addEventListener('click', () => {
      note.textContent = '';
      Promise.resolve(onClick()).catch(context.showError);
    });
    return b;
  };

  const fill = (chosen?: string) => {
    select.replaceChildren(h('option', { value: '' }, t.noPreset), ...presets.map((p) => h('option', { value: p.name, selected: p.name === chosen }, p.name)));
  };
  const current = () => presets.find((p) => p.name === select.value);
  const save = async (next: Preset[], chosen?: string) => {
    presets = await placementIpc.savePresets(next);
    fill(chosen);
  };

  const renderSummary = () => {
    const { all, perDocument } = context.state;
    const parts: string[] = [];
    if (all) parts.push(t.summaryAll(all.lastPage ? t.lastPage.toLowerCase() : `${t.page.toLowerCase()} ${all.page}`));
    if (perDocument.size > 0) parts.push(t.summaryDocuments(perDocument.size));
    summary.textContent = parts.join(' ');
    clear.hidden = parts.length === 0;
  };

  select.addEventListener('change', () => {
    const preset = current();
    name.value = preset?.name ?? '';
    if (!preset) return;
    setOption('option-reason', preset.reason);
    setOption('option-location', preset.location);
    setOption('option-timestamp', preset.timestamp);
    setOption('option-template', preset.template);
    context.state.all = preset.placement;
    context.state.changed();
  });

  const saveAs = button('preset-save', t.saveAsPreset, async () => {
    const presetName = name.value.trim();
    if (!presetName) {
      note.textContent = t.nameNeeded;
      return;
    }
    const preset: Preset = {
      name: presetName,
      reason: optionValue('option-reason'),
      location: optionValue('option-location'),
      timestamp: optionChecked('option-timestamp'),
      template: optionValue('option-template'),
      placement: context.state.all,
    };
    const others = presets.filter((p) => p.name.toLowerCase() !== presetName.toLowerCase());
    await save([...others, preset], presetName);
  });
  const rename = button('preset-rename', t.rename, async () => {
    const preset = current();
    const presetName = name.value.trim();
    if (!preset || !presetName) {
      note.textContent = t.nameNeeded;
      return;
    }
    await save(presets.map((p) => (p === preset ? { ...p, name: presetName } : p)), presetName);
  });
  const remove = button('preset-delete', t.remove, async () => {
    const preset = current();
    if (!preset) return;
    await save(presets.filter((p) => p !== preset));
    name.value = '';
  });
  const exportButton = button('preset-export', t.exportPresets, async () => {
    const path = await placementIpc.exportPresets();
    if (path) note.textContent = t.exported(path);
  });
  const importButton = button('preset-import', t.importPresets, async () => {
    const list = await placementIpc.importPresets();
    if (!list) return;
    presets = list;
    fill(select.value);
    note.textContent = t.imported(list.length);
  });

  const preview = button('place-on-preview', t.placeOnPreview, () => {
    const pdfs = context.pdfs();
    if (pdfs.length === 0) {
      note.textContent = t.noPdf;
      return;
    }
    const first = pdfs[0] ?? '';
    const dialog = new PreviewDialog({
      t: context.t,
      pdfs,
      start: context.state.perDocument.get(first) ?? context.state.all ?? DEFAULT_PLACEMENT,
      open: openListedPdf,
      onApply: (result) => {
        if (result.scope === 'all') context.state.all = result.placement;
        else context.state.perDocument.set(result.path, result.placement);
        context.state.changed();
      },
      onClose: () => preview.focus(),
    });
    document.body.append(dialog.element);
    dialog.element.querySelector<HTMLElement>('#preview-box')?.focus();
  });
  const clear = button('placement-clear', t.clearPlacement, () => context.state.clear());

  context.state.onChange(renderSummary);
  renderSummary();
  void ipc
    .getSettings()
    .then((view) => {
      presets = view.settings.presets;
      fill();
    })
    .catch(context.showError);

  return h(
    'div',
    { class: 'placement', id: 'placement' },
    h(
      'div',
      { class: 'options__row' },
      h('label', { class: 'field' }, h('span', {}, t.presets), select),
      name,
      saveAs,
      rename,
      remove,
      exportButton,
      importButton,
    ),
    h('div', { class: 'options__row' }, preview, clear, summary),
    note,
  );
}
