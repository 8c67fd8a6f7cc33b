// Texts of the settings' Network tab (office proxy, extra CA, Diagnose, Export diagnostics).
export interface NetworkMessages {
  tab: string;
  proxyTitle: string;
  proxySystem: string;
  /** What the system's proxy is now: its address, or none (direct). */
  proxySystemNow: (address: string | null) => string;
  proxyNone: string;
  proxyManual: string;
  proxyAddress: string;
  proxyAddressHint: string;
  proxyUser: string;
  proxyPassword: string;
  proxyLoginSaved: (user: string) => string;
  proxyLoginMissing: string;
  saveProxy: string;
  saveProxyLogin: string;
  replaceProxyLogin: string;
  deleteProxyLogin: string;
  diagnoseTitle: string;
  diagnoseHint: string;
  diagnose: string;
  diagnosing: string;
  diagnoseNone: string;
  diagnoseOk: string;
  diagnoseFailed: string;
  exportDiagnostics: string;
  exporting: string;
  exported: (path: string) => string;
  elapsed: (ms: number) => string;
  caTitle: string;
  caNone: string;
  caSet: (file: string, subject: string) => string;
  chooseCa: string;
  removeCa: string;
  caChosen: string;
  errors: Record<string, string>;
}
