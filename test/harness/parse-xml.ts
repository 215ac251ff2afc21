// A strict little XML parser for checking generated SVG: it throws on anything that is not well-formed (unbalanced or
// mismatched tags, unquoted or duplicate attributes, a bare `&` or `<`), which is what a browser or GitHub would reject.
// Enough for documents without DOCTYPE or CDATA, which is all the bench writes.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  return raw.replace(/&([^;\s]*);?/g, (match, name: string) => {
    if (!match.endsWith(';')) throw new Error(`bare "&" at ${where}`);
    if (name in ENTITIES) return ENTITIES[name]!;
    const code = /^#x([0-9a-f]+)$/i.exec(name)?.[1] ?? /^#(\d+)$/.exec(name)?.[1];
    if (code === undefined) throw new Error(`unknown entity "&${name};" at ${where}`);
    return String.fromCodePoint(name.startsWith('#x') || name.startsWith('#X') ? parseInt(code, 16) : Number(code));
  });
}

/** Parses a whole document and returns its single root element; throws with the offset of the first error. */
export function parseXml(source: string): XmlElement {
  const document: XmlElement = { name: '#document', attributes: {}, children: [] };
  const open: XmlElement[] = [document];
  const token = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  let at = 0;
  while (at < source.length) {
    token.lastIndex = at;
    const match = token.exec(source);
    if (!match) throw new Error(`not well-formed at ${at}: ${JSON.stringify(source.slice(at, at + 60))}`);
    const [, closing, name, attributeText, selfClosing, text] = match;
    const parent = open[open.length - 1]!;
    if (text !== undefined) {
      if (text.trim() && parent === document) throw new Error(`text outside the root element at ${at}`);
      if (text.trim()) parent.children.push(decode(text, at));
    } else if (name !== undefined) {
      if (closing) {
        if (attributeText || selfClosing) throw new Error(`malformed closing tag </${name}> at ${at}`);
        if (parent.name !== name) throw new Error(`</${name}> at ${at} closes <${parent.name}>`);
        open.pop();
      } else {
        const attributes: Record<string, string> = {};
        for (const [, key, value] of attributeText!.matchAll(/([A-Za-z_][\w:.-]*)="([^"]*)"/g)) {
          if (key! in attributes) throw new Error(`duplicate attribute ${key} on <${name}> at ${at}`);
          attributes[key!] = decode(value!, at);
        }
        const element: XmlElement = { name, attributes, children: [] };
        if (parent === document && document.children.length) throw new Error(`second root element <${name}> at ${at}`);
        parent.children.push(element);
        if (!selfClosing) open.push(element);
      }
    }
    at = token.lastIndex;
  }
  if (open.length !== 1) throw new Error(`unclosed <${open[open.length - 1]!.name}>`);
  const root = document.children[0];
  if (typeof root !== 'object') throw new Error('no root element');
  return root;
}

/** Every element below `root` (depth first, `root` included) that satisfies `test`. */
export function findAll(root: XmlElement, test: (element: XmlElement) => boolean): XmlElement[] {
  const found = test(root) ? [root] : [];
  for (const child of root.children) if (typeof child === 'object') found.push(...findAll(child, test));
  return found;
}

/** The text of an element and its descendants, each text node separated by a space. */
export function textOf(element: XmlElement): string {
  return element.children.map((child) => (typeof child === 'string' ? child : textOf(child))).join(' ');
}
