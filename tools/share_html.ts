/**
 * One self-contained HTML page for an executed notebook: Markdown, code, printed text, tables and
 * figures, with no script, stylesheet or font fetched from anywhere. Figures are embedded as
 * <img> data URIs of their SVG, so each figure keeps its own styles and ids and any browser draws
 * it the way it draws the SVG on its own (nbconvert 6.5 inlines the SVG markup into the page,
 * where Observable Plot's figures came out blank).
 */
import { marked } from "marked";
import { type Notebook, type NotebookOutput, text } from "./notebook.ts";

const CSS = `
body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #111; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 12.5px; }
pre.code { border-left: 3px solid #4a7ab5; }
pre.error { background: #fdecec; }
.output { margin: 0.3em 0 1.4em 0; }
img.figure { display: block; max-width: 100%; height: auto; background: white; margin: 0.4em 0; }
table { border-collapse: collapse; font-size: 12.5px; margin: 0.4em 0; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
`;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** An SVG as an <img> data URI; the root needs the SVG namespace to be read as an image. */
export function svgImage(svg: string): string {
  let source = svg.trim();
  if (!/^<svg[^>]*\sxmlns=/.test(source)) {
    source = source.replace(/^<svg\b/, '<svg xmlns="http://www.w3.org/2000/svg"');
  }
  const bytes = new TextEncoder().encode(source);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `<img class="figure" alt="figure" src="data:image/svg+xml;base64,${btoa(binary)}">`;
}

function renderOutput(output: NotebookOutput): string {
  switch (output.output_type) {
    case "stream":
      return output.name === "stderr" ? "" : `<pre>${escapeHtml(text(output.text))}</pre>`;
    case "error":
      return `<pre class="error">${escapeHtml(`${output.ename}: ${output.evalue}`)}</pre>`;
  }
  const data = output.data ?? {};
  if (data["image/svg+xml"] !== undefined) return svgImage(text(data["image/svg+xml"]));
  if (data["image/png"] !== undefined) {
    return `<img class="figure" alt="figure" src="data:image/png;base64,${text(data["image/png"]).trim()}">`;
  }
  if (data["text/html"] !== undefined) return `<div>${text(data["text/html"])}</div>`;
  if (data["text/markdown"] !== undefined) {
    return `<div>${marked.parse(text(data["text/markdown"]), { async: false })}</div>`;
  }
  if (data["text/plain"] !== undefined) return `<pre>${escapeHtml(text(data["text/plain"]))}</pre>`;
  return "";
}

export function renderNotebook(notebook: Notebook, title: string): string {
  const body = notebook.cells.map((cell) => {
    const source = text(cell.source);
    if (cell.cell_type === "markdown") return `<section>${marked.parse(source, { async: false })}</section>`;
    if (cell.cell_type === "raw") return `<pre>${escapeHtml(source)}</pre>`;
    const outputs = (cell.outputs ?? []).map(renderOutput).join("\n");
    return `<pre class="code"><code>${escapeHtml(source)}</code></pre>\n<div class="output">${outputs}</div>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${CSS}</style></head>
<body>
${body.join("\n")}
</body></html>
`;
}
