import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import type { FieldRequirement, LabelOperator, LabelRequirement } from './types.ts';

/*
 * Label and field selectors with the grammar and validation of apimachinery's
 * `labels.Parse` (pkg/labels/selector.go) and `fields.ParseSelector` (pkg/fields/selector.go).
 * Set-based operators `gt`/`lt` (`>`, `<`) are refused: the store has no numeric label semantics.
 */

type TokenKind =
  'identifier' | '!' | '=' | '==' | '!=' | '(' | ')' | ',' | '>' | '<' | 'in' | 'notin' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
}

const SYMBOLS = new Set(['!', '=', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (WHITESPACE.has(ch)) {
      i++;
    } else if (SYMBOLS.has(ch)) {
      const two = text.slice(i, i + 2);
      if (two === '!=' || two === '==') {
        tokens.push({ kind: two, text: two });
        i += 2;
      } else {
        tokens.push({ kind: ch as TokenKind, text: ch });
        i++;
      }
    } else {
      let j = i;
      while (j < text.length && !WHITESPACE.has(text[j] as string) && !SYMBOLS.has(text[j] as string)) j++;
      const word = text.slice(i, j);
      tokens.push({ kind: word === 'in' || word === 'notin' ? word : 'identifier', text: word });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: 'end of string' });
  return tokens;
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a qualified name (apimachinery `IsQualifiedName`), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  let name = key;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) return 'prefix part must be non-empty';
    if (prefix.length > 253) return 'prefix part must be no more than 253 characters';
    if (!DNS1123_SUBDOMAIN.test(prefix)) {
      return 'prefix part must be a lowercase RFC 1123 subdomain (e.g. kubescape.io)';
    }
  } else if (parts.length > 2) {
    return "a qualified name must have at most one '/'";
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!NAME_PART.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > 63) return 'must be no more than 63 characters';
  if (!NAME_PART.test(value)) {
    return "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

class LabelParser {
  private position = 0;
  private readonly tokens: Token[];

  constructor(private readonly text: string) {
    this.tokens = lex(text);
  }

  fail(detail: string): never {
    throw new KubeguardError(ErrorCodes.invalidInput, `invalid label selector "${this.text}": ${detail}`, {
      hint: 'use the Kubernetes syntax, e.g. "app=web,tier in (a,b),!legacy"',
    });
  }

  /** In value position the keywords `in`/`notin` are plain identifiers, as in apimachinery. */
  private peek(): Token {
    const token = this.tokens[this.position] as Token;
    return token.kind === 'in' || token.kind === 'notin' ? { kind: 'identifier', text: token.text } : token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  /** The next token with keywords kept, for the operator position. */
  private nextOperator(): Token {
    const token = this.tokens[this.position] as Token;
    if (token.kind !== 'end') this.position++;
    return token;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'end') return requirements;
      if (token.kind !== 'identifier' && token.kind !== '!') {
        this.fail(`found '${token.text}', expected: !, identifier, or 'end of string'`);
      }
      requirements.push(this.requirement());
      const after = this.next();
      if (after.kind === 'end') return requirements;
      if (after.kind !== ',') this.fail(`found '${after.text}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.kind !== 'identifier' && following.kind !== '!') {
        this.fail(`found '${following.text}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): LabelRequirement {
    let negated = false;
    let token = this.next();
    if (token.kind === '!') {
      negated = true;
      token = this.next();
    }
    if (token.kind !== 'identifier') this.fail(`found '${token.text}', expected: identifier`);
    const key = token.text;
    const problem = labelKeyProblem(key);
    if (problem) this.fail(`key "${key}": ${problem}`);
    const ahead = this.peek().kind;
    if (negated || ahead === 'end' || ahead === ',') {
      return { key, operator: negated ? '!' : 'exists', values: [] };
    }
    const op = this.nextOperator();
    switch (op.kind) {
      case '=':
      case '==':
        return { key, operator: '=', values: [this.exactValue()] };
      case '!=':
        return { key, operator: '!=', values: [this.exactValue()] };
      case 'in':
      case 'notin':
        return { key, operator: op.kind, values: this.valueSet(op.kind) };
      case '>':
      case '<':
        return this.fail(`operator '${op.text}' is not supported`);
      default:
        return this.fail(`found '${op.text}', expected: =, ==, !=, in, notin`);
    }
  }

  private checkedValue(value: string): string {
    const problem = labelValueProblem(value);
    if (problem) this.fail(`value "${value}": ${problem}`);
    return value;
  }

  private exactValue(): string {
    const ahead = this.peek();
    if (ahead.kind === 'end' || ahead.kind === ',') return '';
    const token = this.next();
    if (token.kind !== 'identifier') this.fail(`found '${token.text}', expected: identifier`);
    return this.checkedValue(token.text);
  }

  /** `(a, b)`; empty members count as "" like apimachinery (`(a,)` is {a, ""}). */
  private valueSet(operator: LabelOperator): string[] {
    const open = this.next();
    if (open.kind !== '(') this.fail(`found '${open.text}', expected: '('`);
    const values = new Set<string>();
    let expectValue = true;
    for (;;) {
      const token = this.next();
      if (token.kind === 'identifier' && expectValue) {
        values.add(this.checkedValue(token.text));
        expectValue = false;
      } else if (token.kind === ',') {
        if (expectValue) values.add('');
        expectValue = true;
      } else if (token.kind === ')') {
        if (expectValue && values.size > 0) values.add('');
        break;
      } else {
        this.fail(`found '${token.text}', expected: ',', ')' or identifier`);
      }
    }
    if (values.size === 0) this.fail(`for '${operator}' the set of values can't be empty`);
    return [...values].sort();
  }
}

/** Parses a Kubernetes label selector ("" selects everything). Throws KG_ERR_INVALID_INPUT. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  return new LabelParser(text).parse();
}

const FIELDS: ReadonlySet<string> = new Set(['metadata.name', 'metadata.namespace']);

function fieldError(text: string, detail: string): KubeguardError {
  return new KubeguardError(ErrorCodes.invalidInput, `invalid field selector "${text}": ${detail}`, {
    hint: 'only metadata.name and metadata.namespace with =, == or != are supported',
  });
}

/** Splits on unescaped commas; escapes are kept for `unescapeFieldValue`. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

function unescapeFieldValue(text: string, value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '\\') {
      const escaped = value[i + 1];
      if (escaped !== '\\' && escaped !== ',' && escaped !== '=') {
        throw fieldError(text, `invalid escape sequence in "${value}"`);
      }
      out += escaped;
      i++;
    } else if (ch === ',' || ch === '=') {
      throw fieldError(text, `unescaped '${ch}' in value "${value}"`);
    } else {
      out += ch;
    }
  }
  return out;
}

/** Parses `metadata.name=x,metadata.namespace!=y`. Throws KG_ERR_INVALID_INPUT. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text)) {
    if (term.trim() === '') continue;
    let found: { at: number; op: '!=' | '==' | '=' } | undefined;
    for (let i = 0; i < term.length && !found; i++) {
      if (term[i] === '\\') {
        i++;
        continue;
      }
      for (const op of ['!=', '==', '='] as const) {
        if (term.startsWith(op, i)) {
          found = { at: i, op };
          break;
        }
      }
    }
    if (!found) throw fieldError(text, `can't understand "${term}"`);
    const field = term.slice(0, found.at).trim();
    if (!FIELDS.has(field)) {
      throw fieldError(
        text,
        `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
      );
    }
    const value = unescapeFieldValue(text, term.slice(found.at + found.op.length).trim());
    requirements.push({
      field: field as FieldRequirement['field'],
      operator: found.op === '!=' ? '!=' : '=',
      value,
    });
  }
  return requirements;
}

/** Whether `labels` satisfy every requirement (an empty list matches everything). */
export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  for (const { key, operator, values } of requirements) {
    const has = labels !== undefined && Object.hasOwn(labels, key);
    const value = has ? labels[key] : undefined;
    let ok: boolean;
    switch (operator) {
      case '=':
        ok = has && value === values[0];
        break;
      case '!=':
        ok = !has || value !== values[0];
        break;
      case 'in':
        ok = has && values.includes(value as string);
        break;
      case 'notin':
        ok = !has || !values.includes(value as string);
        break;
      case 'exists':
        ok = has;
        break;
      case '!':
        ok = !has;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

/** Whether an object's namespace and name satisfy every field requirement. */
export function matchesFields(
  requirements: readonly FieldRequirement[],
  object: { namespace: string; name: string },
): boolean {
  for (const { field, operator, value } of requirements) {
    const actual = field === 'metadata.name' ? object.name : object.namespace;
    if ((actual === value) !== (operator === '=')) return false;
  }
  return true;
}
