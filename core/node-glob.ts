// Node selection by name or glob (`*`, `?`), for --precision, --force-cpu/--force-npu, config keys
// and annotations. Exact names win over globs; among globs the more specific (longer) one wins.
import picomatch from 'picomatch';

const cache = new Map<string, (s: string) => boolean>();

export function matchesNode(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  if (!/[*?[\]]/.test(pattern)) return false;
  let m = cache.get(pattern);
  if (!m) {
    // Node names are not paths: bash mode lets '*' cross '/' (PyTorch names look like '/conv1/Conv').
    m = picomatch(pattern, { dot: true, bash: true, nobrace: true, noextglob: true });
    cache.set(pattern, m);
  }
  return m(name);
}

/** Of a map pattern → value, the value whose pattern best matches name. */
export function lookupByNode<T>(map: Readonly<Record<string, T>>, name: string): { pattern: string; value: T } | undefined {
  if (name in map) return { pattern: name, value: map[name] };
  let best: { pattern: string; value: T } | undefined;
  for (const [p, v] of Object.entries(map)) if (matchesNode(p, name) && (!best || p.length > best.pattern.length)) best = { pattern: p, value: v };
  return best;
}

/** Node names a pattern selects (for "matched nothing" errors). */
export function selectNodes(pattern: string, names: readonly string[]): string[] {
  return names.filter((n) => matchesNode(pattern, n));
}
