// The commands of placement by preview and presets (see src-tauri/src/commands/{placement,presets}.rs).
import { invoke } from '@tauri-apps/api/core';
import type { Preset } from '../lib/bindings/Preset';
import { toCommandFailure } from '../lib/ipc';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toCommandFailure(error);
  }
}

/** The bytes of a PDF that is in the list (Rust refuses any other file). */
export const pdfForPreview = (path: string) => call<ArrayBuffer>('pdf_for_preview', { path });
export const savePresets = (presets: Preset[]) => call<Preset[]>('save_presets', { presets });
export const exportPresets = () => call<string | null>('export_presets');
export const importPresets = () => call<Preset[] | null>('import_presets');
