// A small PNG writer for the benchmark's plots, without native dependencies: an RGB canvas with
// rectangles, lines and text in a 5×7 bitmap font, encoded with node:zlib (deflate) and a CRC-32.
import { deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];

// 5×7 glyphs, one byte per column, bit 0 at the top (the classic HD44780-style font).
const GLYPHS: Record<string, number[]> = {
  ' ': [0, 0, 0, 0, 0], '.': [0, 0x60, 0x60, 0, 0], ',': [0, 0x50, 0x30, 0, 0], '-': [8, 8, 8, 8, 8], '_': [0x40, 0x40, 0x40, 0x40, 0x40],
  '%': [0x23, 0x13, 0x08, 0x64, 0x62], '/': [0x20, 0x10, 0x08, 0x04, 0x02], '(': [0, 0x1c, 0x22, 0x41, 0], ')': [0, 0x41, 0x22, 0x1c, 0],
  ':': [0, 0x36, 0x36, 0, 0], '+': [8, 8, 0x3e, 8, 8], '=': [0x14, 0x14, 0x14, 0x14, 0x14], '±': [0x44, 0x44, 0x5f, 0x44, 0x44],
  '0': [0x3e, 0x51, 0x49, 0x45, 0x3e], '1': [0, 0x42, 0x7f, 0x40, 0], '2': [0x42, 0x61, 0x51, 0x49, 0x46], '3': [0x21, 0x41, 0x45, 0x4b, 0x31],
  '4': [0x18, 0x14, 0x12, 0x7f, 0x10], '5': [0x27, 0x45, 0x45, 0x45, 0x39], '6': [0x3c, 0x4a, 0x49, 0x49, 0x30], '7': [0x01, 0x71, 0x09, 0x05, 0x03],
  '8': [0x36, 0x49, 0x49, 0x49, 0x36], '9': [0x06, 0x49, 0x49, 0x29, 0x1e],
  A: [0x7e, 0x11, 0x11, 0x11, 0x7e], B: [0x7f, 0x49, 0x49, 0x49, 0x36], C: [0x3e, 0x41, 0x41, 0x41, 0x22], D: [0x7f, 0x41, 0x41, 0x22, 0x1c],
  E: [0x7f, 0x49, 0x49, 0x49, 0x41], F: [0x7f, 0x09, 0x09, 0x01, 0x01], G: [0x3e, 0x41, 0x49, 0x49, 0x7a], H: [0x7f, 8, 8, 8, 0x7f],
  I: [0, 0x41, 0x7f, 0x41, 0], J: [0x20, 0x40, 0x41, 0x3f, 0x01], K: [0x7f, 8, 0x14, 0x22, 0x41], L: [0x7f, 0x40, 0x40, 0x40, 0x40],
  M: [0x7f, 2, 4, 2, 0x7f], N: [0x7f, 4, 8, 0x10, 0x7f], O: [0x3e, 0x41, 0x41, 0x41, 0x3e], P: [0x7f, 9, 9, 9, 6],
  Q: [0x3e, 0x41, 0x51, 0x21, 0x5e], R: [0x7f, 9, 0x19, 0x29, 0x46], S: [0x46, 0x49, 0x49, 0x49, 0x31], T: [1, 1, 0x7f, 1, 1],
  U: [0x3f, 0x40, 0x40, 0x40, 0x3f], V: [0x1f, 0x20, 0x40, 0x20, 0x1f], W: [0x7f, 0x20, 0x18, 0x20, 0x7f], X: [0x63, 0x14, 8, 0x14, 0x63],
  Y: [3, 4, 0x78, 4, 3], Z: [0x61, 0x51, 0x49, 0x45, 0x43],
  a: [0x20, 0x54, 0x54, 0x54, 0x78], b: [0x7f, 0x48, 0x44, 0x44, 0x38], c: [0x38, 0x44, 0x44, 0x44, 0x20], d: [0x38, 0x44, 0x44, 0x48, 0x7f],
  e: [0x38, 0x54, 0x54, 0x54, 0x18], f: [8, 0x7e, 9, 1, 2], g: [0x0c, 0x52, 0x52, 0x52, 0x3e], h: [0x7f, 8, 4, 4, 0x78],
  i: [0, 0x44, 0x7d, 0x40, 0], j: [0x20, 0x40, 0x44, 0x3d, 0], k: [0x7f, 0x10, 0x28, 0x44, 0], l: [0, 0x41, 0x7f, 0x40, 0],
  m: [0x7c, 4, 0x18, 4, 0x78], n: [0x7c, 8, 4, 4, 0x78], o: [0x38, 0x44, 0x44, 0x44, 0x38], p: [0x7c, 0x14, 0x14, 0x14, 8],
  q: [8, 0x14, 0x14, 0x18, 0x7c], r: [0x7c, 8, 4, 4, 8], s: [0x48, 0x54, 0x54, 0x54, 0x20], t: [4, 0x3f, 0x44, 0x40, 0x20],
  u: [0x3c, 0x40, 0x40, 0x20, 0x7c], v: [0x1c, 0x20, 0x40, 0x20, 0x1c], w: [0x3c, 0x40, 0x30, 0x40, 0x3c], x: [0x44, 0x28, 0x10, 0x28, 0x44],
  y: [0x0c, 0x50, 0x50, 0x50, 0x3c], z: [0x44, 0x64, 0x54, 0x4c, 0x44],
};

export class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    for (let index = 0; index < width * height; index += 1) this.pixels.set(background, index * 3);
  }

  private set(x: number, y: number, color: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.pixels.set(color, (Math.floor(y) * this.width + Math.floor(x)) * 3);
  }

  rect(x: number, y: number, width: number, height: number, color: Rgb): void {
    for (let row = Math.round(y); row < Math.round(y + height); row += 1) for (let column = Math.round(x); column < Math.round(x + width); column += 1) this.set(column, row, color);
  }

  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let step = 0; step <= steps; step += 1) {
      const x = x0 + ((x1 - x0) * step) / steps;
      const y = y0 + ((y1 - y0) * step) / steps;
      this.rect(x - Math.floor(thickness / 2), y - Math.floor(thickness / 2), thickness, thickness, color);
    }
  }

  /** Width in pixels of `text` at `scale`. */
  static textWidth(text: string, scale = 1): number {
    return text.length * 6 * scale;
  }

  text(x: number, y: number, text: string, color: Rgb = [0, 0, 0], scale = 1): void {
    let cursor = Math.round(x);
    for (const character of text) {
      const glyph = GLYPHS[character] ?? GLYPHS[character.toLowerCase()] ?? [0x7f, 0x41, 0x41, 0x41, 0x7f];
      glyph.forEach((bits, column) => {
        for (let row = 0; row < 7; row += 1) if (bits & (1 << row)) this.rect(cursor + column * scale, y + row * scale, scale, scale, color);
      });
      cursor += 6 * scale;
    }
  }

  png(): Buffer {
    const raw = Buffer.alloc((this.width * 3 + 1) * this.height);
    for (let row = 0; row < this.height; row += 1) {
      raw[row * (this.width * 3 + 1)] = 0; // filter: none
      Buffer.from(this.pixels.buffer, this.pixels.byteOffset + row * this.width * 3, this.width * 3).copy(raw, row * (this.width * 3 + 1) + 1);
    }
    const header = Buffer.alloc(13);
    header.writeUInt32BE(this.width, 0);
    header.writeUInt32BE(this.height, 4);
    header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method, no interlace
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export const PALETTE: Rgb[] = [
  [120, 120, 120],
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
];

export interface BarChart {
  title: string;
  yLabel: string;
  groups: string[];
  series: string[];
  /** values[series][group] in 0..yMax, NaN when absent. */
  values: number[][];
  errors?: number[][];
  yMax?: number;
}

/** A grouped bar chart with error bars and a legend, as PNG bytes. */
export function barChartPng(chart: BarChart): Buffer {
  const scale = 2;
  const barWidth = 18;
  const groupGap = 30;
  const left = 70;
  const top = 50;
  const plotHeight = 320;
  const groupWidth = chart.series.length * barWidth + groupGap;
  const plotWidth = Math.max(chart.groups.length * groupWidth, 300);
  const legendWidth = Math.max(...chart.series.map((name) => Canvas.textWidth(name, scale))) + 40;
  const width = left + plotWidth + 20 + legendWidth + 20;
  const height = top + plotHeight + 70;
  const canvas = new Canvas(width, height);
  const yMax = chart.yMax ?? 100;
  const y = (value: number) => top + plotHeight - (Math.max(0, Math.min(yMax, value)) / yMax) * plotHeight;
  canvas.text(left, 14, chart.title, [0, 0, 0], scale);
  for (let tick = 0; tick <= 5; tick += 1) {
    const value = (yMax * tick) / 5;
    canvas.line(left, y(value), left + plotWidth, y(value), [225, 225, 225]);
    const label = String(Math.round(value));
    canvas.text(left - 8 - Canvas.textWidth(label, scale), y(value) - 7, label, [60, 60, 60], scale);
  }
  canvas.text(4, top - 20, chart.yLabel, [60, 60, 60], 1);
  canvas.line(left, top, left, top + plotHeight, [0, 0, 0]);
  canvas.line(left, top + plotHeight, left + plotWidth, top + plotHeight, [0, 0, 0]);
  chart.groups.forEach((group, groupIndex) => {
    const x0 = left + groupGap / 2 + groupIndex * groupWidth;
    chart.series.forEach((_, seriesIndex) => {
      const value = chart.values[seriesIndex]?.[groupIndex] ?? Number.NaN;
      if (!Number.isFinite(value)) return;
      const x = x0 + seriesIndex * barWidth;
      canvas.rect(x, y(value), barWidth - 2, top + plotHeight - y(value), PALETTE[seriesIndex % PALETTE.length]!);
      const error = chart.errors?.[seriesIndex]?.[groupIndex];
      if (error !== undefined && Number.isFinite(error) && error > 0) {
        const middle = x + (barWidth - 2) / 2;
        canvas.line(middle, y(value + error), middle, y(value - error), [0, 0, 0]);
        canvas.line(middle - 3, y(value + error), middle + 3, y(value + error), [0, 0, 0]);
        canvas.line(middle - 3, y(value - error), middle + 3, y(value - error), [0, 0, 0]);
      }
    });
    const labelWidth = Canvas.textWidth(group, scale);
    canvas.text(x0 + (chart.series.length * barWidth - labelWidth) / 2, top + plotHeight + 10, group, [0, 0, 0], scale);
  });
  chart.series.forEach((name, seriesIndex) => {
    const x = left + plotWidth + 20;
    const yy = top + seriesIndex * 24;
    canvas.rect(x, yy, 14, 14, PALETTE[seriesIndex % PALETTE.length]!);
    canvas.text(x + 20, yy, name, [0, 0, 0], scale);
  });
  return canvas.png();
}
