import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileError } from '../../src/files.js';
import { decodeImage } from '../../src/data/image-file.js';
import { DataError, loadCaptionFile, loadQuestionFile } from '../../src/data/image-text-files.js';
import { readJsonFile } from '../../src/data/json-file.js';

/**
 * Caption and question files with an image folder (data/image-text-files.ts), on a tiny data
 * set written here: both caption formats, decoding and resizing, and every kind of bad entry
 * reported with its file and entry, skipped and counted or stopping the load.
 */

const dir = mkdtempSync(join(tmpdir(), 'fiberc-coco-'));
const at = (...p: string[]): string => join(dir, ...p);

/** An 8x6 image: the left half red, the right half blue. */
function halves(): Buffer {
  const raw = Buffer.alloc(8 * 6 * 3);
  for (let y = 0; y < 6; y++) for (let x = 0; x < 8; x++) raw.set(x < 4 ? [255, 0, 0] : [0, 0, 255], (y * 8 + x) * 3);
  return raw;
}

beforeAll(async () => {
  await sharp(halves(), { raw: { width: 8, height: 6, channels: 3 } }).png().toFile(at('a.png'));
  await sharp(halves(), { raw: { width: 8, height: 6, channels: 3 } }).jpeg({ quality: 95 }).toFile(at('b.jpg'));
  // A grey image with an alpha channel: decoded to three channels.
  await sharp(Buffer.alloc(4 * 4 * 2, 200), { raw: { width: 4, height: 4, channels: 2 } }).png().toFile(at('grey.png'));
  const jpeg = readFileSync(at('b.jpg'));
  writeFileSync(at('truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  writeFileSync(at('text.png'), 'not an image at all');
});

describe('image files', () => {
  it('decode to channels-first RGB at the asked size (PNG, JPEG, grey with alpha)', async () => {
    const png = await decodeImage(at('a.png'), 4);
    expect(png.length).toBe(3 * 16);
    // Left column red, right column blue: R plane then G then B.
    expect(png[0]).toBeGreaterThan(200);
    expect(png[3]).toBeLessThan(50);
    expect(png[32]).toBeLessThan(50);
    expect(png[32 + 3]).toBeGreaterThan(200);
    const jpg = await decodeImage(at('b.jpg'), 4);
    expect(Math.abs(jpg[0]! - 255)).toBeLessThan(40);
    const grey = await decodeImage(at('grey.png'), 4);
    expect(new Set(grey)).toEqual(new Set([200]));
  });

  it('reject a truncated JPEG, a text file and a missing file', async () => {
    await expect(decodeImage(at('truncated.jpg'), 4)).rejects.toThrow(/premature end|truncated|corrupt/i);
    await expect(decodeImage(at('text.png'), 4)).rejects.toThrow(/unsupported image format/i);
    await expect(decodeImage(at('none.png'), 4)).rejects.toThrow(/ENOENT/);
  });
});

describe('caption and question files', () => {
  it('read COCO\'s format and ALBEF\'s alike: one example per image with all its captions', async () => {
    writeFileSync(at('coco.json'), JSON.stringify({
      images: [{ id: 1, file_name: 'a.png' }, { id: 2, file_name: 'b.jpg' }],
      annotations: [{ image_id: 1, caption: 'a red and a blue half' }, { image_id: 2, caption: 'two halves' }, { image_id: 1, caption: 'red left, blue right' }],
    }));
    writeFileSync(at('albef.json'), JSON.stringify([{ image: 'a.png', caption: ['a red and a blue half', 'red left, blue right'] }, { image: 'b.jpg', caption: 'two halves' }]));
    for (const f of ['coco.json', 'albef.json']) {
      const { examples, skipped } = await loadCaptionFile(at(f), { size: 4, onBad: 'stop' });
      expect(skipped).toEqual([]);
      expect(examples.map((e) => [e.file, e.captions])).toEqual([['a.png', ['a red and a blue half', 'red left, blue right']], ['b.jpg', ['two halves']]]);
      // ImageNet-normalized: full red is (1 - 0.485) / 0.229 in the R plane.
      expect(examples[0]!.image(4)[0]).toBeCloseTo((Math.round((await decodeImage(at('a.png'), 4))[0]!) / 255 - 0.485) / 0.229, 5);
    }
  });

  it('report each bad entry and image with its file and entry; skip them counted, or stop', async () => {
    writeFileSync(at('bad.json'), JSON.stringify([
      { image: 'a.png', caption: 'fine' },
      { image: 'truncated.jpg', caption: 'cut short' },
      { image: 'text.png', caption: 'not an image' },
      { image: 'gone.png', caption: 'missing' },
      { caption: 'no image' },
      { image: 'b.jpg', caption: 7 },
    ]));
    const { examples, skipped } = await loadCaptionFile(at('bad.json'), { size: 4, onBad: 'skip' });
    expect(examples.map((e) => e.file)).toEqual(['a.png']);
    expect(skipped.map((b) => b.entry).sort()).toEqual(['[4]', '[5]', 'gone.png', 'text.png', 'truncated.jpg']);
    expect(skipped.every((b) => b.file === at('bad.json'))).toBe(true);
    expect(skipped.find((b) => b.entry === 'gone.png')!.message).toMatch(/no image at .*gone\.png/);
    const stopped = loadCaptionFile(at('bad.json'), { size: 4, onBad: 'stop' });
    await expect(stopped).rejects.toBeInstanceOf(DataError);
    // Entry problems are found before any image is decoded.
    await expect(stopped).rejects.toThrow(/2 bad entries:\n.*bad\.json: \[4\]: an entry needs an "image" path\n.*bad\.json: \[5\]: "caption" must be/);
  });

  it('give the line and column of a JSON syntax error, and name files of the wrong shape', async () => {
    writeFileSync(at('broken.json'), '[\n  { "image": "a.png", "caption": "x" },\n  { "image": "b.jpg" "caption": "y" }\n]\n');
    expect(() => readJsonFile(at('broken.json'), 'the caption file')).toThrow(new FileError(`${at('broken.json')}:3:22: the caption file is not valid JSON: comma expected`));
    writeFileSync(at('object.json'), '{"captions": []}');
    await expect(loadCaptionFile(at('object.json'), { size: 4, onBad: 'skip' })).rejects.toThrow(/a caption file is COCO's \{"images", "annotations"\} or a list/);
    await expect(loadCaptionFile(at('nothing.json'), { size: 4, onBad: 'skip' })).rejects.toThrow(/nothing\.json: no such file/);
  });

  it('read VQA questions: the most common of the annotators\' answers, bad entries reported', async () => {
    writeFileSync(at('vqa.json'), JSON.stringify([
      { image: 'a.png', question: 'what colour is on the left?', answer: ['red', 'red', 'orange'] },
      { image: 'b.jpg', question: 'how many halves?', answer: '2' },
      { image: 'a.png', question: '', answer: 'x' },
    ]));
    const { questions, skipped } = await loadQuestionFile(at('vqa.json'), { size: 4, onBad: 'skip' });
    expect(questions.map((q) => [q.image.file, q.question, q.answer])).toEqual([['a.png', 'what colour is on the left?', 'red'], ['b.jpg', 'how many halves?', '2']]);
    expect(skipped).toEqual([{ file: at('vqa.json'), entry: '[2]', message: 'an entry needs a non-empty "question"' }]);
  });
});
