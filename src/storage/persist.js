// Whether the browser keeps this app's storage under pressure (the Storage API), and how
// much it uses. Feature-detected: WebKit has no `persisted`, older browsers no API at all;
// every answer is a plain string or number, never a thrown error.
export async function askPersist() {
  const s = navigator.storage;
  if (!s || typeof s.persist !== 'function') return 'unknown';
  try { return (await s.persist()) ? 'granted' : 'denied'; } catch (_) { return 'unknown'; }
}

export async function persisted() {
  const s = navigator.storage;
  if (!s || typeof s.persisted !== 'function') return 'unknown';
  try { return (await s.persisted()) ? 'granted' : 'denied'; } catch (_) { return 'unknown'; }
}

export async function usedBytes() {
  const s = navigator.storage;
  if (!s || typeof s.estimate !== 'function') return -1;
  try { const e = await s.estimate(); return typeof e.usage === 'number' ? e.usage : -1; } catch (_) { return -1; }
}
