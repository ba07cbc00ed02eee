/** `punctuation:no_comma`: no ASCII comma (a fullwidth `，` is allowed). */
export function noComma(): (value: string) => boolean {
  return (value) => !value.includes(',');
}
