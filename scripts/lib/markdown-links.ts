import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A relative link of a Markdown file whose target file or heading does not exist. */
export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  reason: 'no such file' | 'no such heading';
}

const LINK = /!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;
const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Every relative link in `files` (paths under `root`) that leads nowhere: to a missing file or
 * folder, or to a `#fragment` no heading of the target has. Links inside code are not links.
 */
export function brokenLinks(root: string, files: string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const path = join(root, file);
    proseLines(readFileSync(path, 'utf8')).forEach((text, index) => {
      for (const match of text.matchAll(LINK)) {
        const target = match[1]!;
        if (EXTERNAL.test(target)) continue;
        const reason = whyBroken(path, target);
        if (reason) broken.push({ file, line: index + 1, target, reason });
      }
    });
  }
  return broken;
}

function whyBroken(from: string, target: string): BrokenLink['reason'] | undefined {
  const [pathPart = '', fragment] = target.split('#', 2);
  const destination = pathPart === '' ? from : join(dirname(from), decodeURIComponent(pathPart));
  if (!existsSync(destination)) return 'no such file';
  if (fragment === undefined || fragment === '') return undefined;
  if (statSync(destination).isDirectory() || !destination.endsWith('.md')) return 'no such heading';
  return headingAnchors(readFileSync(destination, 'utf8')).has(fragment)
    ? undefined
    : 'no such heading';
}

/** The file's lines with fenced code blocks and inline code blanked, so line numbers hold. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, '');
  });
}

/** The anchors GitHub gives a file's headings: lowercased, punctuation dropped, `-` for spaces. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  proseHeadings(markdown).forEach((heading) => {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    anchors.add(seen === 0 ? base : `${base}-${seen}`);
  });
  return anchors;
}

function proseHeadings(markdown: string): string[] {
  let fenced = false;
  const headings: string[] = [];
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const match = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    // The heading's text as rendered: link targets and code marks are not part of it.
    if (match) headings.push(match[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, ''));
  }
  return headings;
}

/** README.md and every Markdown file under docs/, relative to `root`. */
export function documentationFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.md'))
    .map((path) => join('docs', path));
  return ['README.md', ...docs.sort()];
}
