/**
 * @module platform/http/docs/pattern-example
 *
 * A string that matches a route schema's `pattern`, for the generated examples. The patterns
 * are the simple, anchored ones route schemas use (character classes, literals, `(?:a|b)`
 * groups, `{n,m} + * ?` quantifiers); the first alternative and the fewest repetitions allowed
 * are taken, and class members are cycled through, so `^[0-9a-f]{8}$` gives `01234567` — the
 * same text on every run. The caller checks the result against the real RegExp: a pattern
 * outside this subset gives `undefined` or a string that fails the check, never an exception.
 */

/** Repetitions for `+` and `*` (open-ended): enough to look like a token, short enough for limits. */
export interface PatternOptions {
  readonly openRepeat: number;
}

type Node =
  | { readonly kind: 'chars'; readonly chars: string }
  | { readonly kind: 'group'; readonly alternatives: readonly Node[][] }
  | { readonly kind: 'repeat'; readonly node: Node; readonly min: number; readonly max: number | undefined };

const DIGITS = '0123456789';
const WORD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_';
const PRINTABLE = `${WORD}-.~ `;

class Parser {
  private index = 0;
  constructor(private readonly source: string) {}

  parse(): Node[][] {
    const alternatives = this.alternatives();
    if (this.index < this.source.length) throw new SyntaxError('unbalanced group');
    return alternatives;
  }

  private alternatives(): Node[][] {
    const alternatives: Node[][] = [this.sequence()];
    while (this.source[this.index] === '|') {
      this.index++;
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): Node[] {
    const nodes: Node[] = [];
    for (let c = this.source[this.index]; c !== undefined && c !== '|' && c !== ')'; c = this.source[this.index]) {
      const atom = this.atom();
      if (atom !== undefined) nodes.push(this.quantified(atom));
    }
    return nodes;
  }

  private atom(): Node | undefined {
    const c = this.source[this.index++];
    if (c === '^' || c === '$') return undefined;
    if (c === '(') {
      if (this.source.startsWith('?:', this.index)) this.index += 2;
      const alternatives = this.alternatives();
      if (this.source[this.index++] !== ')') throw new SyntaxError('unclosed group');
      return { kind: 'group', alternatives };
    }
    if (c === '[') return { kind: 'chars', chars: this.characterClass() };
    if (c === '\\') return { kind: 'chars', chars: this.escape() };
    if (c === '.') return { kind: 'chars', chars: WORD };
    return { kind: 'chars', chars: c ?? '' };
  }

  private escape(): string {
    const c = this.source[this.index++];
    if (c === 'd') return DIGITS;
    if (c === 'w') return WORD;
    if (c === 's') return ' ';
    if (c === undefined) throw new SyntaxError('dangling escape');
    return c;
  }

  private characterClass(): string {
    const negated = this.source[this.index] === '^';
    if (negated) this.index++;
    let chars = '';
    while (this.source[this.index] !== ']') {
      if (this.index >= this.source.length) throw new SyntaxError('unclosed class');
      const first = this.classChar();
      if (this.source[this.index] === '-' && this.source[this.index + 1] !== ']' && first.length === 1) {
        this.index++;
        const last = this.classChar();
        for (let code = first.charCodeAt(0); code <= last.charCodeAt(0); code++) chars += String.fromCharCode(code);
      } else {
        chars += first;
      }
    }
    this.index++;
    return negated
      ? PRINTABLE.split('')
          .filter((c) => !chars.includes(c))
          .join('')
      : chars;
  }

  private classChar(): string {
    const c = this.source[this.index++];
    return c === '\\' ? this.escape() : (c ?? '');
  }

  private quantified(node: Node): Node {
    const c = this.source[this.index];
    let min: number;
    let max: number | undefined;
    if (c === '+' || c === '*' || c === '?') {
      this.index++;
      [min, max] = c === '+' ? [1, undefined] : c === '*' ? [0, undefined] : [0, 1];
    } else if (c === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.index));
      if (!match) return node;
      this.index += match[0].length;
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? undefined : Number(match[3]);
    } else {
      return node;
    }
    if (this.source[this.index] === '?') this.index++; // lazy: same language
    return { kind: 'repeat', node, min, max };
  }
}

function generate(nodes: readonly Node[], options: PatternOptions, counter: { n: number }): string {
  return nodes
    .map((node) => {
      if (node.kind === 'chars') return node.chars.length === 0 ? '' : (node.chars[counter.n++ % node.chars.length] ?? '');
      if (node.kind === 'group') return generate(node.alternatives[0] ?? [], options, counter);
      const count = node.max === undefined ? Math.max(node.min, options.openRepeat) : node.min;
      return Array.from({ length: count }, () => generate([node.node], options, counter)).join('');
    })
    .join('');
}

export function exampleForPattern(pattern: string, options: PatternOptions): string | undefined {
  try {
    const [first = []] = new Parser(pattern).parse();
    return generate(first, options, { n: 0 });
  } catch {
    return undefined;
  }
}
