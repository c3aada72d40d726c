/** Escaping for the markup formats: text from the input (object names, paths) is never trusted. */

/** Characters XML 1.0 forbids even escaped (C0 controls but tab, newline, return; lone surrogates; U+FFFE/F). */
const XML_FORBIDDEN = new RegExp(
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]',
  'g',
);

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for XML/HTML element content and (double- or single-quoted) attribute values. */
export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN, '\ufffd').replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** Same escaping; HTML has the same five special characters. */
export const escapeHtml = escapeXml;

/** Attribute values keep newlines only as character references (parsers normalise raw ones to spaces). */
export function escapeXmlAttribute(text: string): string {
  return escapeXml(text).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
