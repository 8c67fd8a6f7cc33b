import type { Messages } from './index';

export const en: Messages = {
  languageName: 'English',
  switchLanguageTo: (target) => `Change language to ${target}`,
  environment: {
    label: 'Environment',
    names: {
      sandbox: 'Sandbox (training)',
      staging: 'Staging',
      production: 'Production',
    },
    notValid: 'not valid',
    valid: 'valid signatures',
    explanation: {
      sandbox: 'Signatures made here have no legal value: use this environment to learn and try things out.',
      staging: "Multicert's test service: signatures made here have no legal value.",
      production: 'Invoices signed here carry a valid digital signature.',
    },
    loading: 'Checking the environment…',
    unknown: 'Unknown environment',
  },
  dropZone: {
    title: 'Drag invoices (PDF or XML) or folders here',
    addFiles: 'Add files…',
    addFolder: 'Add folder…',
    notYetAvailable: 'Not available in this version yet.',
  },
  footer: {
    version: (version) => `Version ${version}`,
    versionUnknown: 'Unknown version',
  },
  errors: {
    appInfoFailed: 'The app could not tell which environment it is in, so nothing will be signed.',
    codes: {
      sandbox_unavailable: 'The training environment did not start. Close the app and open it again.',
      internal: 'Something went wrong inside the app. Close it and open it again; if it happens again, contact support.',
      unknown: 'Something unexpected went wrong. Close the app and open it again; if it happens again, contact support.',
    },
    detail: (code, message) => `Detail for support: ${code} — ${message}`,
  },
};
