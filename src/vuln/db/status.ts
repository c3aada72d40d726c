/**
 * Where the database lives by default and how old it is. A stale database keeps working: callers
 * get its age and a suggestion, never a refusal (grype's 5-day gate stops scans in air gaps).
 */
import os from 'node:os';
import path from 'node:path';

/** Past this age `db status` and scans suggest `kubeguard db update`. */
export const STALE_AFTER_DAYS = 5;

/** `${XDG_DATA_HOME:-~/.local/share}/kubeguard/vulndb.sqlite` */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const data =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'kubeguard', 'vulndb.sqlite');
}

/** `${XDG_CONFIG_HOME:-~/.config}/kubeguard/vulndb-sources.json`, read by `db update` when present. */
export function defaultSourcesConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const config =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(os.homedir(), '.config');
  return path.join(config, 'kubeguard', 'vulndb-sources.json');
}

export interface DbAge {
  /** Seconds since the build (0 when the build time is unknown). */
  seconds: number;
  stale: boolean;
  /** "9 days ago" */
  ago: string;
  /** "built 9 days ago — consider `kubeguard db update`" */
  text: string;
}

function ago(seconds: number): string {
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

/** How old a database built at `built` (ISO 8601) is at `now`. */
export function describeAge(built: string, now: Date = new Date()): DbAge {
  const t = Date.parse(built);
  const advice = ' — consider `kubeguard db update`';
  if (Number.isNaN(t))
    return { seconds: 0, stale: true, ago: 'unknown', text: `build time unknown${advice}` };
  const seconds = Math.max(0, Math.floor((now.getTime() - t) / 1000));
  const stale = seconds > STALE_AFTER_DAYS * 86400;
  const when = ago(seconds);
  return { seconds, stale, ago: when, text: `built ${when}${stale ? advice : ''}` };
}
