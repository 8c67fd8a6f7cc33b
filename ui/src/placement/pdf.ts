// pdf.js, loaded only when a preview opens. The worker is bundled by Vite and served from the app
// itself ('self'); eval is off; embedded fonts load as FontFace objects from bytes (no URL, so
// font-src is not involved) and fonts a PDF does not embed are drawn with the system's. The strict
// CSP needs no exception.
import type { PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import type { PageGeometry } from './coords';

export interface OpenPdf {
  pageCount: number;
  geometry(page: number): Promise<PageGeometry>;
  /** Draws `page` into `canvas` at `scale` CSS pixels per point. */
  render(page: number, canvas: HTMLCanvasElement, scale: number): Promise<void>;
  close(): void;
}

export async function openPdf(bytes: ArrayBuffer): Promise<OpenPdf> {
  const pdfjs = await import('pdfjs-dist');
  pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
  const doc: PDFDocumentProxy = await pdfjs.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: false,
    useSystemFonts: false,
    enableXfa: false,
  }).promise;
  return {
    pageCount: doc.numPages,
    async geometry(page) {
      const p = await doc.getPage(page);
      const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = p.view;
      return { view: [x1, y1, x2, y2], rotate: p.rotate };
    },
    async render(page, canvas, scale) {
      const p = await doc.getPage(page);
      const ratio = window.devicePixelRatio || 1;
      const viewport = p.getViewport({ scale: scale * ratio });
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
      canvas.style.height = `${Math.floor(viewport.height / ratio)}px`;
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2d canvas');
      await p.render({ canvasContext: context, viewport }).promise;
    },
    close() {
      void doc.destroy();
    },
  };
}
