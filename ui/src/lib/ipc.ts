// Typed wrappers around the Rust commands and events. Components call these, never `invoke` or
// `listen` directly, so command names and payload types live in one place.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AppInfo } from './bindings/AppInfo';
import type { BatchSummary } from './bindings/BatchSummary';
import type { ConnectionCheck } from './bindings/ConnectionCheck';
import type { DocumentPlacement } from './bindings/DocumentPlacement';
import type { EnvironmentSettings } from './bindings/EnvironmentSettings';
import type { FileProgress } from './bindings/FileProgress';
import type { HistoryFilter } from './bindings/HistoryFilter';
import type { HistoryRow } from './bindings/HistoryRow';
import type { Intake } from './bindings/Intake';
import type { InterruptedBatch } from './bindings/InterruptedBatch';
import type { Settings } from './bindings/Settings';
import type { SettingsView } from './bindings/SettingsView';
import type { StartedBatch } from './bindings/StartedBatch';
import type { Activity } from './bindings/Activity';
import type { WatchView } from './bindings/WatchView';
import type { EnvironmentCheck } from './bindings/EnvironmentCheck';
import type { ExportedDiagnostics } from './bindings/ExportedDiagnostics';
import type { NetworkSettings } from './bindings/NetworkSettings';
import type { NetworkView } from './bindings/NetworkView';

/**
 * A rejected command: `code` is stable; `message` is plain words from Rust when it has them
 * (else the UI words the code); `detail` is technical, for the support line.
 */
export class CommandFailure extends Error {
  readonly code: string;
  readonly detail: string;

  constructor(code: string, message: string, detail: string) {
    super(message);
    this.name = 'CommandFailure';
    this.code = code;
    this.detail = detail;
  }
}

/** Normalises whatever `invoke` rejected with (our `{code, message, detail}`, or a Tauri string). */
export function toCommandFailure(error: unknown): CommandFailure {
  if (error instanceof CommandFailure) return error;
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    const message = 'message' in error ? String(error.message) : '';
    const detail = 'detail' in error ? String(error.detail) : message;
    return new CommandFailure(error.code, message, detail);
  }
  const text = error instanceof Error ? error.message : String(error);
  return new CommandFailure('unknown', '', text);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toCommandFailure(error);
  }
}

export const appInfo = () => call<AppInfo>('app_info');
export const getSettings = () => call<SettingsView>('get_settings');
export const saveSettings = (settings: Settings) => call<SettingsView>('save_settings', { settings });
export const setActiveEnvironment = (environmentId: string) =>
  call<null>('set_active_environment', { environmentId });
/** `remember`: the user chose it (saved); otherwise only the language Rust answers in. */
export const setLanguage = (language: string, remember: boolean) => call<null>('set_language', { language, remember });
export const saveSecret = (environmentId: string, clientId: string, secret: string) =>
  call<SettingsView>('save_secret', { environmentId, clientId, secret });
export const deleteSecret = (environmentId: string) => call<SettingsView>('delete_secret', { environmentId });
export const testConnection = (environment: EnvironmentSettings, secret: string | null) =>
  call<ConnectionCheck>('test_connection', { environment, secret });
export const takeInPaths = (paths: string[]) => call<Intake>('take_in_paths', { paths });
export const pickFiles = () => call<Intake>('pick_files');
export const pickFolder = () => call<Intake>('pick_folder');
export const chooseFolder = () => call<string | null>('choose_folder');
export const openFolder = (path: string) => call<null>('open_folder', { path });
export const showInFolder = (path: string) => call<null>('show_in_folder', { path });
/** `placements`: boxes placed on the preview, by index in `paths` (none: the options' box). */
export const startSigning = (paths: string[], placements: DocumentPlacement[] = []) =>
  call<StartedBatch>('start_signing', placements.length > 0 ? { paths, placements } : { paths });
export const cancelSigning = () => call<null>('cancel_signing');
export const history = (filter: HistoryFilter) => call<HistoryRow[]>('history', { filter });
export const exportHistoryCsv = (filter: HistoryFilter) =>
  call<string | null>('export_history_csv', { filter });

export const interruptedBatches = () => call<InterruptedBatch[] | null>('interrupted_batches');
export const resumeBatch = (batchId: number) => call<StartedBatch>('resume_batch', { batchId });

export const onProgress = (handler: (p: FileProgress) => void): Promise<UnlistenFn> =>
  listen<FileProgress>('sign-progress', (e) => handler(e.payload));
export const onFinished = (handler: (s: BatchSummary) => void): Promise<UnlistenFn> =>
  listen<BatchSummary>('sign-finished', (e) => handler(e.payload));
/** Paths handed to the app from outside (command line, second instance): added as if dropped. */
export const onOpenFiles = (handler: (paths: string[]) => void): Promise<UnlistenFn> =>
  listen<string[]>('open-files', (e) => handler(e.payload));

// ---- watch folder (area: p2-a11y) ----
export const getWatch = () => call<WatchView>('get_watch');
export const setWatchFolders = (input: string | null, output: string | null, backup: string | null) =>
  call<WatchView>('set_watch_folders', { input, output, backup });
export const setWatchEnabled = (enabled: boolean) => call<WatchView>('set_watch_enabled', { enabled });
/** The whole watch view, whenever its status, folders or switch change. */
export const onWatchChanged = (handler: (v: WatchView) => void): Promise<UnlistenFn> =>
  listen<WatchView>('watch-changed', (e) => handler(e.payload));
export const onWatchActivity = (handler: (a: Activity) => void): Promise<UnlistenFn> =>
  listen<Activity>('watch-activity', (e) => handler(e.payload));

// Network (office proxy, extra CA, Diagnose, Export diagnostics).
export const getNetwork = () => call<NetworkView>('get_network');
export const saveNetwork = (network: NetworkSettings) => call<NetworkView>('save_network', { network });
export const saveProxyLogin = (user: string, password: string) =>
  call<NetworkView>('save_proxy_login', { user, password });
export const deleteProxyLogin = () => call<NetworkView>('delete_proxy_login');
/** Native file dialog in Rust; null when cancelled. */
export const chooseCaCertificate = (environmentId: string) =>
  call<SettingsView | null>('choose_ca_certificate', { environmentId });
export const removeCaCertificate = (environmentId: string) =>
  call<SettingsView>('remove_ca_certificate', { environmentId });
export const diagnose = () => call<EnvironmentCheck[]>('diagnose');
/** Native save dialog in Rust; null when cancelled. */
export const exportDiagnostics = () => call<ExportedDiagnostics | null>('export_diagnostics');
