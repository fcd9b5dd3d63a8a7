// Location for check-ins, from the browser's Geolocation API. Called from src/geo.rs.
//
// Watching (rather than asking at the tap) means a fix is usually already there when
// the officer presses the button, and a check-in never waits for the GPS.
let watching = false;

export function watchPosition(onFix) {
  if (watching || !('geolocation' in navigator)) return;
  watching = true;
  navigator.geolocation.watchPosition(
    (p) => onFix(p.coords.latitude, p.coords.longitude, p.coords.accuracy, p.timestamp),
    () => { watching = false; }, // denied or unavailable: check-ins simply carry no position
    { enableHighAccuracy: true, maximumAge: 60000, timeout: 60000 },
  );
}
