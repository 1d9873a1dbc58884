// `node test/utils/pdf-text.mjs file.pdf`: prints {"pages": n, "text": ["page 1 text", …]} as JSON.
// The browser suite runs it as a child process (pdf.js loads its worker with a dynamic import(), which
// is kept out of Jest's module sandbox)
// to read what Chromium's page.pdf() printed: the page count, page numbers, no English module ids.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const data = new Uint8Array(readFileSync(process.argv[2]));
const pdf = await getDocument({ data, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
const text = [];
for (let i = 1; i <= pdf.numPages; i++) {
  const page = await pdf.getPage(i);
  const content = await page.getTextContent();
  text.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
}
process.stdout.write(JSON.stringify({ pages: pdf.numPages, text }));
