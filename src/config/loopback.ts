/** True for `localhost`, 127.0.0.0/8 and `::1` (as `URL.hostname` spells them). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]') return true;
  // URL normalises IPv4 literals (also octal/hex forms) to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
