// Every user-facing string lives in pt.ts / en.ts; components only ever read `Messages`.
import type { EnvironmentKind } from '../lib/bindings/EnvironmentKind';
import type { UiErrorCode } from '../lib/ipc';
import { en } from './en';
import { pt } from './pt';

export type Language = 'pt' | 'en';

export interface Messages {
  /** Name of this language in itself, for the language switch ("Português", "English"). */
  languageName: string;
  /** Accessible name of the language switch, e.g. "Mudar a língua para English". */
  switchLanguageTo: (target: string) => string;
  environment: {
    /** Prefix read by screen readers before the environment's name. */
    label: string;
    names: Record<EnvironmentKind, string>;
    notValid: string;
    valid: string;
    explanation: Record<EnvironmentKind, string>;
    loading: string;
    unknown: string;
  };
  dropZone: {
    title: string;
    addFiles: string;
    addFolder: string;
    notYetAvailable: string;
  };
  footer: {
    version: (version: string) => string;
    versionUnknown: string;
  };
  errors: {
    /** What could not be done, in the user's words; the reason follows from `codes`. */
    appInfoFailed: string;
    codes: Record<UiErrorCode, string>;
    /** Small print for support: the stable code and the technical message. */
    detail: (code: string, message: string) => string;
  };
}

const catalogue: Record<Language, Messages> = { pt, en };

export function messages(language: Language): Messages {
  return catalogue[language];
}

/** Portuguese first: English only when the system asks for it. */
export function detectLanguage(navigatorLanguage: string | undefined): Language {
  return navigatorLanguage?.toLowerCase().startsWith('en') ? 'en' : 'pt';
}

export function otherLanguage(language: Language): Language {
  return language === 'pt' ? 'en' : 'pt';
}
