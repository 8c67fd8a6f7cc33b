// The strings of placement by preview and presets (the texts are in i18n/pt.ts and en.ts).
export interface PlacementMessages {
  presets: string;
  noPreset: string;
  presetName: string;
  saveAsPreset: string;
  rename: string;
  remove: string;
  exportPresets: string;
  importPresets: string;
  exported: (path: string) => string;
  imported: (count: number) => string;
  nameNeeded: string;
  placeOnPreview: string;
  noPdf: string;
  clearPlacement: string;
  summaryAll: (page: string) => string;
  summaryDocuments: (count: number) => string;
  lastPage: string;
  page: string;
  pageOf: (count: number) => string;
  document: string;
  scope: string;
  scopeThis: string;
  scopeAll: string;
  apply: string;
  cancel: string;
  dialogTitle: string;
  boxLabel: string;
  resize: string;
  hint: string;
  loading: string;
  unreadable: string;
}
