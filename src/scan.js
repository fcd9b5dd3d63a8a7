// Scanning a gate's QR code with the camera, where the browser has BarcodeDetector
// (Android Chrome, for one). Elsewhere the officer types the 6 digits. Called from
// src/scan.rs only.
let active = null;

export function canScan() {
  return typeof window.BarcodeDetector === 'function' && !!navigator.mediaDevices?.getUserMedia;
}

// Resolves with the first Gatewatch payload seen ("GW1:..."), or "" when stopped or
// after two minutes. Rejects when the camera cannot be opened.
export async function scanQr(videoId) {
  stopScan();
  const video = document.getElementById(videoId);
  const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  active = stream;
  try {
    video.srcObject = stream;
    await video.play();
    for (let i = 0; i < 600 && active === stream; i++) {
      const found = await detector.detect(video);
      const hit = found.find((c) => typeof c.rawValue === 'string' && c.rawValue.startsWith('GW1:'));
      if (hit) return hit.rawValue;
      await new Promise((r) => setTimeout(r, 200));
    }
    return '';
  } finally {
    if (active === stream) stopScan();
  }
}

export function stopScan() {
  if (active) {
    active.getTracks().forEach((t) => t.stop());
    active = null;
  }
}
