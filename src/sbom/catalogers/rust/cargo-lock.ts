/**
 * `Cargo.lock` (TOML): `[[package]]` tables with name, version, source, checksum and a
 * dependencies array; lockfile v1 kept checksums in a `[metadata]` table instead. Only the TOML
 * subset Cargo writes is read (strings, string arrays, tables), by line.
 */

export interface CargoLockEntry {
  name: string;
  version: string;
  source?: string;
  checksum?: string;
  dependencies: string[];
}

function tomlString(v: string): string {
  const t = v.trim();
  const m = /^"((?:\\.|[^"\\])*)"|^'([^']*)'/.exec(t);
  return m ? (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1') : t;
}

export function parseCargoLock(content: string): CargoLockEntry[] {
  const entries: CargoLockEntry[] = [];
  const metadataChecksums = new Map<string, string>();
  let current: CargoLockEntry | undefined;
  let table = '';
  let arrayKey: string | undefined;
  let arrayItems: string[] = [];
  for (const raw of content.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    if (arrayKey) {
      const closing = line.endsWith(']');
      for (const item of line.replace(/\]$/, '').split(','))
        if (item.trim()) arrayItems.push(tomlString(item));
      if (closing) {
        if (current && arrayKey === 'dependencies') current.dependencies = arrayItems;
        arrayKey = undefined;
      }
      continue;
    }
    if (line.startsWith('[')) {
      table = line;
      current = undefined;
      if (line === '[[package]]') {
        current = { name: '', version: '', dependencies: [] };
        entries.push(current);
      }
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = tomlString(line.slice(0, eq));
    const value = line.slice(eq + 1).trim();
    if (table === '[metadata]' && key.startsWith('checksum ')) {
      metadataChecksums.set(key.slice('checksum '.length), tomlString(value));
      continue;
    }
    if (!current) continue;
    if (value.startsWith('[')) {
      arrayItems = [];
      const closed = value.endsWith(']');
      for (const item of value.slice(1).replace(/\]$/, '').split(','))
        if (item.trim()) arrayItems.push(tomlString(item));
      if (closed) {
        if (key === 'dependencies') current.dependencies = arrayItems;
      } else arrayKey = key;
      continue;
    }
    const s = tomlString(value);
    if (key === 'name') current.name = s;
    else if (key === 'version') current.version = s;
    else if (key === 'source') current.source = s;
    else if (key === 'checksum') current.checksum = s;
  }
  for (const e of entries) {
    e.checksum ??= metadataChecksums.get(`${e.name} ${e.version} (${e.source ?? ''})`);
  }
  return entries;
}
