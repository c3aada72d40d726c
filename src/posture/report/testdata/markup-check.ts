/**
 * A strict-enough well-formedness check for the XML and HTML the renderers write: tags balance,
 * attribute values are quoted, text and attributes hold no raw `<` or bare `&`.
 */
const ENTITY = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
const NAME = /^[A-Za-z_][\w.:-]*/;
const HTML_VOID = new Set(['meta', 'br', 'hr', 'img', 'link', 'input']);

function checkText(text: string, where: number): void {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1))
    if (!ENTITY.test(text.slice(i))) throw new Error(`bare & at ${where + i}: ${text.slice(i, i + 20)}`);
}

/** Returns the element names in document order; throws on the first error. */
export function checkMarkup(source: string, options: { html?: boolean } = {}): string[] {
  const stack: string[] = [];
  const elements: string[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('<', i);
    const text = source.slice(i, open < 0 ? source.length : open);
    checkText(text, i);
    if (open < 0) break;
    if (source.startsWith('<?', open)) {
      i = source.indexOf('?>', open) + 2;
      continue;
    }
    if (source.startsWith('<!DOCTYPE', open) || source.startsWith('<!--', open)) {
      i = source.indexOf('>', open) + 1;
      continue;
    }
    const close = source.startsWith('</', open);
    let j = open + (close ? 2 : 1);
    const name = NAME.exec(source.slice(j))?.[0];
    if (!name) throw new Error(`bad tag at ${open}: ${source.slice(open, open + 30)}`);
    j += name.length;
    // Attributes: name="value" or name='value'.
    for (;;) {
      while (/\s/.test(source[j] ?? '')) j++;
      if (source[j] === '>' || source.startsWith('/>', j)) break;
      const attribute = NAME.exec(source.slice(j))?.[0];
      if (!attribute || source[j + attribute.length] !== '=')
        throw new Error(`bad attribute at ${j}: ${source.slice(j, j + 30)}`);
      j += attribute.length + 1;
      const quote = source[j];
      if (quote !== '"' && quote !== "'") throw new Error(`unquoted attribute at ${j}`);
      const end = source.indexOf(quote, j + 1);
      const value = source.slice(j + 1, end);
      if (value.includes('<')) throw new Error(`raw < in attribute at ${j}`);
      checkText(value, j + 1);
      j = end + 1;
    }
    const selfClosing = source.startsWith('/>', j);
    i = j + (selfClosing ? 2 : 1);
    const lower = options.html ? name.toLowerCase() : name;
    if (close) {
      const top = stack.pop();
      if (top !== lower) throw new Error(`</${name}> closes <${top}> at ${open}`);
    } else {
      elements.push(lower);
      if (!selfClosing && !(options.html && HTML_VOID.has(lower))) stack.push(lower);
    }
    if (!close && options.html && (lower === 'style' || lower === 'script')) {
      const end = source.indexOf(`</${lower}>`, i);
      i = end;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed: ${stack.join(', ')}`);
  return elements;
}
