/**
 * Control characters other than tab and line breaks: nobody types them, and stored as JSON each one
 * takes 6 bytes (`\u0001`), which would double what one message can make the store keep.
 */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}
