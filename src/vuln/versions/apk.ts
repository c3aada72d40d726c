import type { VersionScheme } from '../types.ts';
import { compareDigits, compareStrings, invalidVersion, memoize } from './util.ts';

/**
 * Alpine package versions, `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`, ordered like
 * apk-tools' src/version.c (the tokenizer rewrite shipped with apk-tools 2.14 and 3.x):
 * - a numeric component with a leading zero (after the first) compares as a string (Gentoo rule),
 * - suffixes `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p`,
 * - `~<hex>` commit hashes compare as strings, `-rN` revisions numerically.
 * Numbers compare without apk's uint64 wrap-around (identical below 2^64).
 */

const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

const SUFFIX_NONE = 5;
const SUFFIXES: Record<string, number> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};

interface Token {
  type: number;
  /** The token's text: digits, the letter, the suffix name or the hash. */
  value: string;
  suffix: number;
}

class Tokenizer {
  pos = 0;
  readonly token: Token = { type: INITIAL_DIGIT, value: '', suffix: 0 };

  constructor(private readonly s: string) {
    this.digits(INITIAL_DIGIT);
  }

  private digits(type: number): void {
    const start = this.pos;
    while (this.pos < this.s.length && this.s[this.pos]! >= '0' && this.s[this.pos]! <= '9') this.pos++;
    this.token.type = this.pos === start ? INVALID : type;
    this.token.value = this.s.slice(start, this.pos);
  }

  private span(re: RegExp): string {
    const start = this.pos;
    while (this.pos < this.s.length && re.test(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** apk's token_next: the character decides the next token; the previous one decides if it is allowed. */
  next(): void {
    const t = this.token;
    if (this.pos >= this.s.length) {
      t.type = END;
      return;
    }
    const c = this.s[this.pos]!;
    if (c >= 'a' && c <= 'z') {
      if (t.type > DIGIT) return this.invalid();
      t.type = LETTER;
      t.value = c;
      this.pos++;
    } else if (c === '.' || (c >= '0' && c <= '9')) {
      if (c === '.') {
        if (t.type > DIGIT) return this.invalid();
        this.pos++;
      }
      if (t.type === INITIAL_DIGIT || t.type === DIGIT) this.digits(DIGIT);
      else if (t.type === SUFFIX) this.digits(SUFFIX_NO);
      else this.invalid();
    } else if (c === '_') {
      if (t.type > SUFFIX_NO) return this.invalid();
      this.pos++;
      t.value = this.span(/[a-z]/);
      const suffix = SUFFIXES[t.value];
      if (suffix === undefined) return this.invalid();
      t.suffix = suffix;
      t.type = SUFFIX;
    } else if (c === '~') {
      if (t.type >= COMMIT_HASH) return this.invalid();
      this.pos++;
      t.value = this.span(/[0-9a-f]/);
      if (t.value === '') return this.invalid();
      t.type = COMMIT_HASH;
    } else if (c === '-') {
      if (t.type >= REVISION_NO || this.s[this.pos + 1] !== 'r') return this.invalid();
      this.pos += 2;
      this.digits(REVISION_NO);
    } else {
      this.invalid();
    }
  }

  private invalid(): void {
    this.token.type = INVALID;
  }
}

function tokenCompare(a: Token, b: Token): number {
  switch (a.type) {
    case DIGIT:
      if (a.value[0] === '0' || b.value[0] === '0') return compareStrings(a.value, b.value);
      return compareDigits(a.value, b.value);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return compareDigits(a.value, b.value);
    case LETTER:
      return compareStrings(a.value, b.value);
    case SUFFIX:
      return a.suffix === b.suffix ? 0 : a.suffix < b.suffix ? -1 : 1;
    default:
      return compareStrings(a.value, b.value);
  }
}

/** Memoized (util.ts `memoize`): every comparison validates both sides first. */
const isValid = memoize((version: string): boolean => {
  const t = new Tokenizer(version);
  while (t.token.type < END) t.next();
  return t.token.type === END;
});

/** apk_version_compare for two valid versions. */
export function compareApkVersions(a: string, b: string): number {
  const ta = new Tokenizer(a);
  const tb = new Tokenizer(b);
  while (ta.token.type === tb.token.type && ta.token.type < END) {
    const r = tokenCompare(ta.token, tb.token);
    if (r !== 0) return r;
    ta.next();
    tb.next();
  }
  const at = ta.token;
  const bt = tb.token;
  if (at.type === bt.type) return 0;
  // Equal so far: the longer version is newer unless what follows is a pre-release suffix.
  if (at.type === SUFFIX && at.suffix < SUFFIX_NONE) return -1;
  if (bt.type === SUFFIX && bt.suffix < SUFFIX_NONE) return 1;
  if (at.type > bt.type) return -1;
  if (bt.type > at.type) return 1;
  return 0;
}

function check(version: string): string {
  if (isValid(version)) return version;
  throw invalidVersion('apk', version, 'not of the form digit{.digit}{letter}{_suffix#}{~hash}{-r#}');
}

export const apk: VersionScheme = {
  id: 'apk',
  valid: isValid,
  compare: (a, b) => compareApkVersions(check(a), check(b)),
};
