/**
 * What is wrong with text that JSON.parse refused, without quoting it: Node's own messages
 * quote the start of the text, and a file read by mistake may be anyone's (a key, a
 * password file), while the message may travel to a browser page.
 */
export function jsonProblem(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e)
  if (/Unexpected end of JSON input|Unterminated/.test(m)) return 'it ends before the JSON does'
  const at = /at position (\d+)(?: \(line (\d+) column (\d+)\))?/.exec(m)
  if (!at) return 'a syntax error'
  return `a syntax error at position ${at[1]}${at[2] ? ` (line ${at[2]}, column ${at[3]})` : ''}`
}
