// Service-worker registration for the installed app. Called from src/pwa.rs only.
//
// A new version is never forced on a running app: when one has installed and is
// waiting, `onUpdate` is called and the app offers an "update" button, which calls
// `applyUpdate` to activate it and reload.

export function registerServiceWorker(onUpdate) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').then((reg) => {
    const notify = () => {
      if (reg.waiting && navigator.serviceWorker.controller) onUpdate();
    };
    notify();
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      if (!worker) return;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed') notify();
      });
    });
    // Long-running shifts: look for a new version every half hour.
    setInterval(() => reg.update().catch(() => {}), 30 * 60 * 1000);
  }).catch((e) => console.warn('service worker registration failed', e));
}

export function applyUpdate() {
  navigator.serviceWorker.getRegistration().then((reg) => {
    if (reg && reg.waiting) {
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
      reg.waiting.postMessage({ type: 'SKIP_WAITING' });
    } else {
      location.reload();
    }
  });
}
