/**
 * The camera (getUserMedia) and the frames taken from it: one every 500 ms (seed 002 section 3),
 * drawn to a canvas and encoded as JPEG by the browser (canvas.toBlob), then base64 for seed 003
 * section 5's frame message.
 */

export type CameraState =
  | { readonly kind: 'asking' }
  | { readonly kind: 'on'; readonly stream: MediaStream }
  | { readonly kind: 'refused' }
  | { readonly kind: 'unavailable'; readonly reason: string };

export const FRAME_INTERVAL_MS = 500;
const JPEG_QUALITY = 0.8;

/** Asks for the camera; resolves with what the page shows: on, refused by the person (or the browser's policy), or unavailable. */
export async function openCamera(): Promise<CameraState> {
  if (!('mediaDevices' in navigator)) return { kind: 'unavailable', reason: 'This browser offers no camera here (a secure page is needed).' };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    return { kind: 'on', stream };
  } catch (error) {
    const name = error instanceof DOMException ? error.name : '';
    if (name === 'NotAllowedError' || name === 'SecurityError') return { kind: 'refused' };
    return { kind: 'unavailable', reason: name === 'NotFoundError' ? 'No camera was found.' : `The camera could not start (${name || String(error)}).` };
  }
}

function base64(bytes: ArrayBuffer): string {
  const view = new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The video's current picture as base64 JPEG, or undefined when it has none yet. */
export async function captureJpeg(video: HTMLVideoElement, canvas: HTMLCanvasElement): Promise<string | undefined> {
  if (video.videoWidth === 0 || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return undefined;
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  if (!context) return undefined;
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob | null>((resolve) => {
    canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY);
  });
  return blob ? base64(await blob.arrayBuffer()) : undefined;
}
