/** What a connection line says once the server has acknowledged every local edit. */
export const ALL_SAVED = 'All changes saved on the server'

/**
 * The saved part of a connection line, from the server's acknowledgements only
 * (DESIGN §6): "3 unsaved changes", "all changes saved on the server", or null
 * before the server acknowledged anything.
 */
export function savedText(unsaved: number, acknowledged: boolean): string | null {
  if (unsaved > 0) return `${unsaved} unsaved change${unsaved === 1 ? '' : 's'}`
  return acknowledged ? ALL_SAVED.toLowerCase() : null
}
