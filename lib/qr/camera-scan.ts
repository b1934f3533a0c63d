/**
 * Scans camera frames for a QR code until one is found or the scan is stopped. Extension pages
 * often cannot show a camera prompt (Chrome's side panel cannot), so every failure becomes a plain
 * sentence that points to the other two ways of joining.
 */
import { decodeQr } from './qr-decode';

export interface CameraScan {
  stop(): void;
}

const OTHER_WAYS = 'Paste the link, or read the QR from a screenshot instead.';

export function cameraErrorMessage(e: unknown): string {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return `Camera access was not allowed. ${OTHER_WAYS}`;
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NoCamera')
    return `No camera was found. ${OTHER_WAYS}`;
  if (name === 'NotReadableError') return `The camera is in use by another program. ${OTHER_WAYS}`;
  return `The camera could not be started. ${OTHER_WAYS}`;
}

export async function startCameraScan(
  video: HTMLVideoElement,
  on: { found(text: string): void; error(message: string): void },
): Promise<CameraScan> {
  let stopped = false;
  let stream: MediaStream | null = null;
  let frame = 0;
  const stop = () => {
    stopped = true;
    cancelAnimationFrame(frame);
    for (const t of stream?.getTracks() ?? []) t.stop();
    video.srcObject = null;
  };
  try {
    if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('no camera API', 'NoCamera');
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: 'environment' },
      audio: false,
    });
    if (stopped) {
      stop();
      return { stop };
    }
    video.srcObject = stream;
    await video.play();
  } catch (e) {
    stop();
    on.error(cameraErrorMessage(e));
    return { stop };
  }
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const tick = () => {
    if (stopped || !ctx) return;
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const text = decodeQr(ctx.getImageData(0, 0, canvas.width, canvas.height), 'dontInvert');
      if (text !== null) {
        stop();
        on.found(text);
        return;
      }
    }
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);
  return { stop };
}
