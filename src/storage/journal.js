// Write-ahead journal of not-yet-synced records, in IndexedDB.
//
// Chromium flushes localStorage to disk only seconds after setItem returns, so a browser
// killed right after "saved" can lose the record. An IndexedDB transaction with
// durability "strict" is on disk when it completes. Each record is written here before
// the UI says "saved", replayed into localStorage at start, and removed once the server
// has acknowledged it. Called from src/storage/journal.rs only.

const DB_NAME = 'gatewatch-journal';
const STORE = 'journal';
let dbPromise = null;

function openDb() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('IndexedDB is not available'));
      return;
    }
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB open blocked by another tab'));
  }).catch((e) => {
    dbPromise = null; // let the next call try again
    throw e;
  });
  return dbPromise;
}

function run(mode, body) {
  return openDb().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode, { durability: 'strict' });
    const result = body(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result());
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
  }));
}

export function journalPut(key, value) {
  return run('readwrite', (store) => { store.put(value, key); return () => undefined; });
}

export function journalDelete(key) {
  return run('readwrite', (store) => { store.delete(key); return () => undefined; });
}

// Deletes the entry only if it still holds `version` (the stored form's "v"), checked
// and deleted in one transaction, so an acknowledgement of an old version never drops
// a newer edit journaled meanwhile.
export function journalDeleteVersion(key, version) {
  return run('readwrite', (store) => {
    const req = store.get(key);
    req.onsuccess = () => {
      let held = null;
      try { held = JSON.parse(req.result).v; } catch { held = null; }
      if (req.result !== undefined && held === version) store.delete(key);
    };
    return () => undefined;
  });
}

// Empties the journal (logout, once nothing in it is unsynced).
export function journalClear() {
  return run('readwrite', (store) => { store.clear(); return () => undefined; });
}

// Resolves to an array of [key, value] pairs.
export function journalEntries() {
  return run('readonly', (store) => {
    const keys = store.getAllKeys();
    const values = store.getAll();
    return () => keys.result.map((k, i) => [k, values.result[i]]);
  });
}
