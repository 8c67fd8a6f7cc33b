// Every user-facing string lives in pt.ts / en.ts; components only ever read `Messages`.
import type { EnvironmentKindSetting as EnvironmentKind } from '../lib/bindings/EnvironmentKindSetting';
import type { FileStatus } from '../lib/bindings/FileStatus';
import type { HistoryOutcome } from '../lib/bindings/HistoryOutcome';
import type { Placement } from '../lib/bindings/Placement';
import type { WatchPhase } from '../lib/bindings/WatchPhase';
import type { PlacementMessages } from '../placement/messages';
import { en } from './en';
import type { NetworkMessages } from './network';
import { pt } from './pt';

export type Language = 'pt' | 'en';

export interface Messages {
  /** Name of this language in itself, for the language switch ("Português", "English"). */
  languageName: string;
  /** Accessible name of the language switch, e.g. "Mudar a língua para English". */
  switchLanguageTo: (target: string) => string;
  /** Locale for dates and numbers. */
  locale: string;
  watch: WatchMessages;
  a11y: A11yMessages;
  nav: { sign: string; settings: string; history: string; environmentSwitch: string };
  environment: {
    /** Prefix read by screen readers before the environment's name. */
    label: string;
    names: Record<EnvironmentKind, string>;
    notValid: string;
    valid: string;
    explanation: Record<EnvironmentKind, string>;
    loading: string;
    unknown: string;
    noCredentials: (env: string) => string;
    openSettings: (env: string) => string;
  };
  dropZone: {
    title: string;
    dragOver: string;
    addFiles: string;
    addFolder: string;
    firstRun: string;
  };
  options: {
    title: string;
    types: string;
    reason: string;
    location: string;
    timestamp: string;
    visible: string;
    placement: string;
    placements: Record<Placement, string>;
    page: string;
    x: string;
    y: string;
    template: string;
  };
  list: {
    empty: string;
    title: (count: number) => string;
    status: Record<FileStatus | 'rejected', string>;
    showInFolder: string;
    clear: string;
    rejected: Record<string, string>;
    rejectedOther: string;
  };
  progress: {
    counts: (done: number, total: number, failed: number) => string;
    sign: (count: number, env: string) => string;
    cancel: string;
    retryFailed: string;
    openOutput: string;
    finished: (signed: number, failed: number) => string;
    cancelled: string;
    seeHistory: string;
  };
  settings: {
    title: string;
    general: string;
    clientId: string;
    secret: string;
    secretSaved: string;
    secretMissing: string;
    secretBuiltIn: string;
    saveSecret: string;
    replaceSecret: string;
    deleteSecret: string;
    tokenUrl: string;
    apiBase: string;
    resetPresets: string;
    testConnection: string;
    testing: string;
    testOk: string;
    testFailed: string;
    outputMode: string;
    outputBeside: string;
    outputFolder: string;
    chooseFolder: string;
    namePattern: string;
    example: (name: string) => string;
    parallel: string;
    language: string;
    save: string;
    saved: string;
  };
  history: {
    since: string;
    until: string;
    retry: string;
    title: string;
    search: string;
    allEnvironments: string;
    allOutcomes: string;
    outcomes: Record<HistoryOutcome, string>;
    exportCsv: string;
    exported: (path: string) => string;
    columns: { date: string; environment: string; document: string; result: string; output: string; operation: string };
    empty: string;
  };
  footer: {
    version: (version: string) => string;
    versionUnknown: string;
  };
  errors: {
    /** What could not be done, in the user's words; the reason follows from `codes`. */
    appInfoFailed: string;
    failed: string;
    codes: Record<string, string>;
    unknown: string;
    /** Small print for support: the stable code and the technical message. */
    detail: (code: string, message: string) => string;
  };
  network: NetworkMessages;
  // Reliability (issue 5): batches a crash or a kill left unfinished.
  resume: {
    interrupted: (unfinished: number, total: number) => string;
    resume: string;
  };
  /** Placement by preview and presets. */
  placement: PlacementMessages;
}

const catalogue: Record<Language, Messages> = { pt, en };

export function messages(language: Language): Messages {
  return catalogue[language];
}

/** Portuguese first: English only when the system asks for it. */
export function detectLanguage(navigatorLanguage: string | undefined): Language {
  return navigatorLanguage?.toLowerCase().startsWith('en') ? 'en' : 'pt';
}

// ---- watch folder and accessibility (area: p2-a11y) ----
export interface WatchMessages {
  nav: string;
  title: string;
  intro: string;
  input: string;
  output: string;
  backup: string;
  /** Accessible name of a folder's Choose button. */
  choose: (folder: string) => string;
  chooseShort: string;
  notChosen: string;
  toggle: string;
  on: string;
  off: string;
  phase: Record<WatchPhase, string>;
  counts: (signed: number, failed: number, waiting: number) => string;
  lastActivity: string;
  none: string;
  signed: (file: string, output: string) => string;
  recovered: (file: string, output: string) => string;
  failed: (file: string, message: string) => string;
  problem: string;
  stoppedBy: string;
  notConfigured: string;
  /** Words for failure codes whose message from Rust is not translated. */
  codes: Record<string, string>;
  options: (environment: string) => string;
}

export interface A11yMessages {
  /** Accessible name of a file row: name, status and (when any) the reason. */
  fileRow: (name: string, status: string, reason: string) => string;
  fileListHelp: string;
  /** Accessible name of the × that closes a message. */
  close: string;
}

export function otherLanguage(language: Language): Language {
  return language === 'pt' ? 'en' : 'pt';
}
