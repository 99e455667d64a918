/** Saves text as a file through the browser's download (no server round trip). */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  // the click has started the download; the URL is not needed after this task
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
