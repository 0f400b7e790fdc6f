/** Saves a file the way a download link does: a Blob URL on a temporary `<a download>`. */
export type SaveFile = (filename: string, blob: Blob) => void

export const saveFile: SaveFile = (filename, blob) => {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  // After the click has been handled; revoking at once can cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
