// Tells Rust when the main view has become usable, for the start-up figures in the log (and in
// `make bench-app`). One event per launch; losing it costs nothing but the figure.
import { emit } from '@tauri-apps/api/event';
import type { WindowReady } from './bindings/WindowReady';

export const WINDOW_READY = 'window-ready';

export function reportWindowReady(): Promise<void> {
  const payload: WindowReady = { pageMs: performance.now() };
  return emit(WINDOW_READY, payload).catch((e: unknown) => console.error('window-ready not sent', e));
}
