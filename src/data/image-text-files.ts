import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { FileError } from '../files.js';
import { decodeImage, ImageFileError, normalizedImage } from './image-file.js';
import { readJsonFile } from './json-file.js';
import type { ImageTextExample } from './pretrain-batch.js';

/**
 * Real image-text data from files: a caption JSON in COCO's format (`{"images": [{"id",
 * "file_name"}], "annotations": [{"image_id", "caption"}]}`) or ALBEF's (`[{"image",
 * "caption"}]`, the caption a string or a list), and a VQA JSON in ALBEF's format
 * (`[{"image", "question", "answer", "type"?}]`, the answer a string or a list of
 * annotators' answers, the most common taken). Image paths are relative to an image root (by default
 * the JSON's folder). Every entry is checked and every image decoded before training: a bad
 * entry or image is reported with its file and entry, and either skipped (and counted) or
 * the load stops, as the user chooses.
 */

/** One entry that could not be used: the file, which entry, and why. */
export interface BadEntry {
  readonly file: string;
  /** `annotations[12]`, `[3]`, or the image path for an image that failed to decode. */
  readonly entry: string;
  readonly message: string;
}

/** What to do with bad entries: leave them out (counted), or stop before training. */
export type OnBadEntry = 'skip' | 'stop';

/** Raised when entries are bad and the user asked to stop: lists them (the first few). */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(readonly bad: readonly BadEntry[]) {
    super(describeBad(bad));
  }
}

export interface LoadOptions {
  /** Image side the model reads. */
  readonly size: number;
  readonly onBad: OnBadEntry;
  /** Folder image paths are relative to (default: the JSON's folder). */
  readonly imageRoot?: string;
}

/** An example from files: its image decoded once at the model's size. */
export interface FileExample extends ImageTextExample {
  /** The image path as the JSON gives it. */
  readonly file: string;
}

/** A VQA entry: an image (shared by its questions), a question and its answer. */
export interface FileQuestion {
  readonly image: FileExample;
  readonly question: string;
  readonly answer: string;
  /** The entry's `"type"` (VQA v2's answer types: `yes/no`, `number`, `other`), else `other`. */
  readonly type: string;
}

const SHOWN = 5;

/** A list of bad entries as lines: `file: entry: message`, the first few and a count. */
export function describeBad(bad: readonly BadEntry[]): string {
  const lines = bad.slice(0, SHOWN).map((b) => `${b.file}: ${b.entry}: ${b.message}`);
  if (bad.length > SHOWN) lines.push(`... and ${bad.length - SHOWN} more`);
  return `${bad.length} bad entr${bad.length === 1 ? 'y' : 'ies'}:\n${lines.join('\n')}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Image path -> captions, in first-seen order, from either caption format. */
export function parseCaptions(json: unknown, file: string): { captions: Map<string, string[]>; bad: BadEntry[] } {
  const captions = new Map<string, string[]>();
  const bad: BadEntry[] = [];
  const add = (image: string, caption: string): void => {
    const list = captions.get(image) ?? [];
    list.push(caption.trim());
    captions.set(image, list);
  };
  if (isObject(json) && Array.isArray(json.images) && Array.isArray(json.annotations)) {
    const files = new Map<unknown, string>();
    json.images.forEach((img, i) => {
      if (!isObject(img) || img.id === undefined || !nonEmptyString(img.file_name)) bad.push({ file, entry: `images[${i}]`, message: 'an image needs an "id" and a "file_name"' });
      else files.set(img.id, img.file_name);
    });
    json.annotations.forEach((a, i) => {
      const entry = `annotations[${i}]`;
      if (!isObject(a) || !nonEmptyString(a.caption)) bad.push({ file, entry, message: 'an annotation needs a non-empty "caption"' });
      else if (!files.has(a.image_id)) bad.push({ file, entry, message: `"image_id" ${JSON.stringify(a.image_id)} is not in "images"` });
      else add(files.get(a.image_id)!, a.caption);
    });
    return { captions, bad };
  }
  if (!Array.isArray(json)) throw new FileError(`${file}: a caption file is COCO's {"images", "annotations"} or a list of {"image", "caption"}`);
  json.forEach((e, i) => {
    const entry = `[${i}]`;
    const list = isObject(e) ? (Array.isArray(e.caption) ? e.caption : [e.caption]) : [];
    if (!isObject(e) || !nonEmptyString(e.image)) bad.push({ file, entry, message: 'an entry needs an "image" path' });
    else if (list.length === 0 || !list.every(nonEmptyString)) bad.push({ file, entry, message: '"caption" must be a non-empty string or a list of them' });
    else for (const c of list) add(e.image, c);
  });
  return { captions, bad };
}

/** Questions from ALBEF's VQA format (the answer: a string, or annotators' answers of which the most common is taken). */
export function parseQuestions(json: unknown, file: string): { questions: { image: string; question: string; answer: string; type: string }[]; bad: BadEntry[] } {
  if (!Array.isArray(json)) throw new FileError(`${file}: a question file is a list of {"image", "question", "answer"}`);
  const questions: { image: string; question: string; answer: string; type: string }[] = [];
  const bad: BadEntry[] = [];
  json.forEach((e, i) => {
    const entry = `[${i}]`;
    const answers = isObject(e) ? (Array.isArray(e.answer) ? e.answer : [e.answer]) : [];
    if (!isObject(e) || !nonEmptyString(e.image)) bad.push({ file, entry, message: 'an entry needs an "image" path' });
    else if (!nonEmptyString(e.question)) bad.push({ file, entry, message: 'an entry needs a non-empty "question"' });
    else if (answers.length === 0 || !answers.every(nonEmptyString)) bad.push({ file, entry, message: '"answer" must be a non-empty string or a list of them' });
    else if (e.type !== undefined && !nonEmptyString(e.type)) bad.push({ file, entry, message: '"type", when given, must be a non-empty string' });
    else questions.push({ image: e.image, question: e.question.trim(), answer: mostCommon(answers.map((a) => a.trim())), type: typeof e.type === 'string' ? e.type.trim() : 'other' });
  });
  return { questions, bad };
}

function mostCommon(xs: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

/**
 * Decodes every image once (a few at a time); an image that is missing or cannot be decoded
 * is a bad entry under its path.
 */
async function decodeAll(paths: readonly string[], file: string, options: LoadOptions): Promise<{ images: Map<string, FileExample>; bad: BadEntry[] }> {
  const root = options.imageRoot ?? dirname(resolve(file));
  const images = new Map<string, FileExample>();
  const bad: BadEntry[] = [];
  const CONCURRENT = 4;
  for (let at = 0; at < paths.length; at += CONCURRENT) {
    await Promise.all(paths.slice(at, at + CONCURRENT).map(async (p) => {
      const full = isAbsolute(p) ? p : join(root, p);
      if (!existsSync(full)) {
        bad.push({ file, entry: p, message: `no image at ${full}` });
        return;
      }
      try {
        const bytes = await decodeImage(full, options.size);
        images.set(p, { id: p, file: p, captions: [], image: (size) => imageAt(bytes, size, options.size, p) });
      } catch (e) {
        if (!(e instanceof ImageFileError)) throw e;
        bad.push({ file, entry: p, message: `${full}: ${e.message}` });
      }
    }));
  }
  return { images, bad };
}

function imageAt(bytes: Uint8Array, size: number, loaded: number, path: string): Float32Array {
  if (size !== loaded) throw new Error(`internal: ${path} was decoded at ${loaded}x${loaded}, asked at ${size}x${size}`);
  return normalizedImage(bytes);
}

function settle(bad: readonly BadEntry[], onBad: OnBadEntry): void {
  if (bad.length > 0 && onBad === 'stop') throw new DataError(bad);
}

/** Loads a caption file and its images: one example per image, with all its captions. */
export async function loadCaptionFile(file: string, options: LoadOptions): Promise<{ examples: FileExample[]; skipped: BadEntry[] }> {
  const { captions, bad } = parseCaptions(readJsonFile(file, 'the caption file'), file);
  settle(bad, options.onBad);
  const decoded = await decodeAll([...captions.keys()], file, options);
  const all = [...bad, ...decoded.bad];
  settle(all, options.onBad);
  const examples = [...captions].filter(([p]) => decoded.images.has(p)).map(([p, cs]) => ({ ...decoded.images.get(p)!, captions: cs }));
  if (examples.length === 0) throw new FileError(`${file}: no usable image-caption pairs${all.length ? ` (${describeBad(all)})` : ''}`);
  return { examples, skipped: all };
}

/** Loads a VQA question file and its images. */
export async function loadQuestionFile(file: string, options: LoadOptions): Promise<{ questions: FileQuestion[]; skipped: BadEntry[] }> {
  const { questions, bad } = parseQuestions(readJsonFile(file, 'the question file'), file);
  settle(bad, options.onBad);
  const decoded = await decodeAll([...new Set(questions.map((q) => q.image))], file, options);
  const all = [...bad, ...decoded.bad];
  settle(all, options.onBad);
  const usable = questions.filter((q) => decoded.images.has(q.image)).map((q) => ({ ...q, image: decoded.images.get(q.image)! }));
  if (usable.length === 0) throw new FileError(`${file}: no usable questions${all.length ? ` (${describeBad(all)})` : ''}`);
  return { questions: usable, skipped: all };
}
