/**
 * SVG to PNG with @resvg/resvg-js (Rust, no browser). Vega's SVGs ask for the generic
 * `sans-serif` family; resvg resolves it to the first installed of a few common families
 * (system fonts are loaded). On a machine without fonts the PNG is still valid, only without text.
 */

import { Resvg } from "@resvg/resvg-js";

/** PNG file signature (first eight bytes of every PNG). */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Options of `svgToPng`. */
export interface PngOptions {
  /** Scale factor over the SVG's own size (default 1.5: sharp enough, and rasterizing is the cost). */
  scale?: number;
  /** Font family used for `sans-serif` (default "DejaVu Sans"). */
  sansSerifFamily?: string;
}

/** Width of an SVG from its root `width` attribute, or undefined. */
function svgWidth(svg: string): number | undefined {
  const m = /<svg\b[^>]*?\swidth="([\d.]+)"/.exec(svg);
  return m ? Number(m[1]) : undefined;
}

/** Rasterizes an SVG string to PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 1.5;
  const width = svgWidth(svg);
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo:
      width === undefined
        ? { mode: "zoom", value: scale }
        : { mode: "width", value: Math.round(width * scale) },
    font: {
      loadSystemFonts: true,
      defaultFontFamily: options.sansSerifFamily ?? "DejaVu Sans",
      sansSerifFamily: options.sansSerifFamily ?? "DejaVu Sans",
    },
  });
  return resvg.render().asPng();
}

/** True when `bytes` start with the PNG signature and carry an IHDR chunk with a non-zero size. */
export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < 24) return false;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) return false;
  if (buf.toString("latin1", 12, 16) !== "IHDR") return false;
  return buf.readUInt32BE(16) > 0 && buf.readUInt32BE(20) > 0;
}

/** Width and height of a PNG from its IHDR chunk. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  if (!isPng(bytes)) throw new Error("not a PNG");
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}
