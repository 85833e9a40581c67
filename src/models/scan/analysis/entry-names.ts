/**
 * Archive member names that escape the extraction directory ("zip slip"): `..` segments,
 * absolute paths, Windows drive letters and UNC paths, backslashes (a separator on Windows), NUL
 * bytes (names cut short by C APIs). Shared by the zip and tar scanners.
 */

export interface NameProblem {
  readonly severity: 'malicious' | 'suspicious';
  readonly why: string;
}

export function entryNameProblem(name: string): NameProblem | null {
  if (name.includes('\0')) return { severity: 'malicious', why: 'contains a NUL byte, which cuts the name short in C-based extractors' };
  if (name.startsWith('/') || name.startsWith('\\')) return { severity: 'malicious', why: 'is an absolute path' };
  if (/^[A-Za-z]:/.test(name)) return { severity: 'malicious', why: 'starts with a Windows drive letter' };
  const segments = name.split(/[\\/]/);
  if (segments.includes('..')) return { severity: 'malicious', why: "has a '..' segment that climbs out of the extraction directory" };
  if (name.includes('\\')) return { severity: 'suspicious', why: 'contains a backslash, a path separator on Windows' };
  if (name.length > 4096) return { severity: 'suspicious', why: 'is longer than any file system accepts' };
  return null;
}
