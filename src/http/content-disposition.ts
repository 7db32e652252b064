/** Content-Disposition with an ASCII fallback and the RFC 5987 UTF-8 name (Chinese file names). */
export function contentDisposition(fileName: string, fallback: string): string {
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback.replace(/["\\]/g, '')}"; filename*=UTF-8''${encoded}`;
}
