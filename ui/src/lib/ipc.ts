// Typed wrappers around the Rust commands. Components call these, never `invoke` directly, so
// command names and payload types live in one place.
import { invoke } from '@tauri-apps/api/core';
import type { AppInfo } from './bindings/AppInfo';
import type { ErrorCode } from './bindings/ErrorCode';

/** The Rust codes plus `unknown` for anything that did not come from our commands. */
export type UiErrorCode = ErrorCode | 'unknown';

/**
 * A rejected command. `message` is technical (for the support detail line); the UI shows a
 * sentence chosen by `code` instead.
 */
export class CommandFailure extends Error {
  readonly code: UiErrorCode;

  constructor(code: UiErrorCode, message: string) {
    super(message);
    this.name = 'CommandFailure';
    this.code = code;
  }
}

// A Record over ErrorCode: when Rust adds a code and the bindings are regenerated, this stops
// compiling until the UI knows about it (and i18n must then give it a sentence).
const KNOWN_CODES: Record<ErrorCode, true> = {
  sandbox_unavailable: true,
  internal: true,
};

function isKnownCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(KNOWN_CODES, code);
}

/** Normalises whatever `invoke` rejected with (our `{code, message}`, or a Tauri string). */
export function toCommandFailure(error: unknown): CommandFailure {
  if (error instanceof CommandFailure) return error;
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const { code, message } = error;
    return new CommandFailure(isKnownCode(code) ? code : 'unknown', String(message));
  }
  return new CommandFailure('unknown', error instanceof Error ? error.message : String(error));
}

async function call<T>(command: string): Promise<T> {
  try {
    return await invoke<T>(command);
  } catch (error) {
    throw toCommandFailure(error);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}
