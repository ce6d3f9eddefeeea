// Check-in: fill the phone's location into the form when the officer allows it.
// The form works without this file (location is optional).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.checkin-form");
  if (!form || !("geolocation" in navigator)) return;
  const status = form.querySelector(".geo-status");
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.lng.value = pos.coords.longitude.toFixed(6);
      form.elements.accuracy.value = Math.round(pos.coords.accuracy);
      if (status) status.textContent = "已取得手机定位（精度约 " + Math.round(pos.coords.accuracy) + " 米）。";
    },
    () => { if (status) status.textContent = "未取得定位，仍可确认入企。"; },
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
  );
});
