// Drawing a PDF's pages into canvases with pdf.js, because the webview
// cannot show PDFs itself. The worker is bundled with the app, so the
// preview works offline.
import { GlobalWorkerOptions, getDocument } from 'pdfjs-dist'
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url'

GlobalWorkerOptions.workerSrc = workerUrl

/** Draws every page of `bytes` at `width` CSS pixels wide; returns the canvases. */
export async function renderPages(bytes: Uint8Array, width: number): Promise<HTMLCanvasElement[]> {
  const doc = await getDocument({ data: bytes }).promise
  try {
    const canvases: HTMLCanvasElement[] = []
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n)
      const unscaled = page.getViewport({ scale: 1 })
      const ratio = window.devicePixelRatio || 1
      const viewport = page.getViewport({ scale: (width / unscaled.width) * ratio })
      const canvas = document.createElement('canvas')
      canvas.width = Math.floor(viewport.width)
      canvas.height = Math.floor(viewport.height)
      canvas.style.width = `${width}px`
      await page.render({ canvas, viewport }).promise
      canvases.push(canvas)
    }
    return canvases
  } finally {
    await doc.destroy()
  }
}
