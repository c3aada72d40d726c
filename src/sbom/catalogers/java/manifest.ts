/**
 * `META-INF/MANIFEST.MF` (JAR spec): `Name: value` headers, continuation lines start with one
 * space, sections separated by blank lines, the first one being the main attributes. And
 * `pom.properties`, a Java properties file.
 */

export type KeyValues = { key: string; value: string }[];

export interface JavaManifest {
  main: KeyValues;
  sections?: KeyValues[];
}

export function parseManifest(content: string): JavaManifest {
  const sections: KeyValues[] = [];
  let current: KeyValues = [];
  for (const raw of content.split(/\r\n|\r|\n/)) {
    if (raw === '') {
      if (current.length > 0) sections.push(current);
      current = [];
      continue;
    }
    if (raw.startsWith(' ')) {
      const last = current[current.length - 1];
      if (last) last.value += raw.slice(1);
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    current.push({ key: raw.slice(0, colon).trim(), value: raw.slice(colon + 1).trim() });
  }
  if (current.length > 0) sections.push(current);
  const [main = [], ...rest] = sections;
  return rest.length > 0 ? { main, sections: rest } : { main };
}

export function manifestValue(m: JavaManifest | undefined, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = m?.main.find((kv) => kv.key.toLowerCase() === k.toLowerCase())?.value.trim();
    if (v) return v;
  }
  return undefined;
}

export function parseProperties(content: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = content.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] as string).trimStart();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length)
      line = line.slice(0, -1) + (lines[++i] as string).trimStart();
    const m = /^((?:\\.|[^=:\s])+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out[(m[1] as string).replace(/\\(.)/g, '$1')] = (m[2] as string).trim();
  }
  return out;
}
