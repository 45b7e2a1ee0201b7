// A photo of project work, made small on the tablet before it is kept: a phone camera's
// 4000-pixel picture of 4 MB becomes a JPEG of at most 1280 pixels a side (about
// 100–300 KB), small enough for IndexedDB on a cheap tablet and for the node's limit.

const LONGEST_SIDE = 1280;
const QUALITY = 0.82;

/** Decode an image file and return it as a JPEG Blob no larger than 1280 px a side; throws if it is no picture. */
export async function downscale(file) {
  const bitmap = await createImageBitmap(file);
  try {
    const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // a transparent PNG gets a white background, not black
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
    if (!blob) throw new Error("the picture could not be encoded");
    return blob;
  } finally {
    bitmap.close();
  }
}
