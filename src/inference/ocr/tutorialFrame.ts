/**
 * The OCR tutorial's pages are a letter PDF rasterised at zoom 1.5, shrunk to 0.95, rotated a
 * fraction of a degree with the canvas expanded, and saved at 100 dpi then read at 72 dpi (x0.72);
 * its labels, though, are page fractions times the final image size. So the label frame is not
 * the ink's frame: it is 0.5 % larger, unrotated, and offset by half the expansion. This maps a
 * box measured on the ink into the label frame, for images of exactly that pipeline's size.
 */
export type Box = [number, number, number, number];

const ZOOM = 1.5,
  SHRINK = 0.95,
  DPI_RATIO = 0.72;
const PAGE_W_PT = 612,
  PAGE_H_PT = 792;
/** The whole tutorial pipeline keeps a page's rotation within this. */
const MAX_ANGLE_RAD = (1 * Math.PI) / 180;

/** Pixel sizes of the 0.95 stage, as PIL's int() truncation makes them. */
const SHRUNK_W = Math.trunc(SHRINK * Math.round(PAGE_W_PT * ZOOM));
const SHRUNK_H = Math.trunc(SHRINK * Math.round(PAGE_H_PT * ZOOM));

/** True when an image has the size that pipeline gives a letter page (any small rotation). */
export function isTutorialFrame(width: number, height: number): boolean {
  const grow = Math.sin(MAX_ANGLE_RAD);
  const fits = (got: number, base: number, other: number) => got >= base * DPI_RATIO - 2 && got <= (base + other * grow) * DPI_RATIO + 2;
  return fits(width, SHRUNK_W, SHRUNK_H) && fits(height, SHRUNK_H, SHRUNK_W);
}

/**
 * Label pixels per ink pixel: the label frame is the ink's 0.5 % enlarged. Lengths built on the
 * ink (a size times an advance) are in ink pixels until toLabelFrame scales them, once.
 */
export function labelScale(width: number): number {
  return width / (SHRUNK_W * DPI_RATIO);
}

/**
 * A box from ink coordinates to the tutorial's label coordinates. `angleRad` is the page's
 * rotation (positive when lines fall to the right, image y down).
 */
export function toLabelFrame(box: Box, width: number, height: number, angleRad: number): Box {
  // Undo 0.72, then the rotation about the expanded canvas' centre, then the zoom x 0.95 stage.
  const cos = Math.cos(angleRad),
    sin = Math.sin(angleRad);
  const map = (x: number, y: number): [number, number] => {
    const dx = x / DPI_RATIO - width / DPI_RATIO / 2,
      dy = y / DPI_RATIO - height / DPI_RATIO / 2;
    const qx = SHRUNK_W / 2 + dx * cos + dy * sin;
    const qy = SHRUNK_H / 2 - dx * sin + dy * cos;
    const ptX = (qx / SHRUNK_W) * PAGE_W_PT,
      ptY = (qy / SHRUNK_H) * PAGE_H_PT;
    return [(ptX * width) / PAGE_W_PT, (ptY * height) / PAGE_H_PT];
  };
  const [x0, y0, x1, y1] = box;
  const cx = (x0 + x1) / 2,
    cy = (y0 + y1) / 2;
  return [map(x0, cy)[0], map(cx, y0)[1], map(x1, cy)[0], map(cx, y1)[1]];
}

/**
 * The tutorial's validator turns every page 0.2 degrees counter-clockwise (PIL's rotate(0.2)),
 * about the expanded canvas' centre. Measured per page (box corners, ink slopes) the angle came
 * out noisier than that constant is wrong, and 0.1 degree off moves a box at the page's foot by
 * 1.4 px, so the constant is used.
 */
export const TUTORIAL_ANGLE_RAD = (-0.2 * Math.PI) / 180;
