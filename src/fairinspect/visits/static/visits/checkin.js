// Location: fill the phone's position into the check-in form, the form that registers the
// enterprise's location, and the photo forms (where a photo was taken). Every form works
// without this file (location is optional; the server decides what it means).
document.addEventListener("DOMContentLoaded", () => {
  // The words come translated from the page that loads this file (visits/_pwa_head.html).
  const T = JSON.parse(document.getElementById("fi-field-strings").textContent);
  const forms = document.querySelectorAll(
    "form.checkin-form, form.geo-form, form[data-outbox=photo]"
  );
  if (!forms.length || !("geolocation" in navigator)) return;
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      forms.forEach((form) => {
        if (!form.elements.lat) return;
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lng.value = pos.coords.longitude.toFixed(6);
        form.elements.accuracy.value = Math.round(pos.coords.accuracy);
        const status = form.querySelector(".geo-status");
        if (status) status.textContent = T.geo_ok.replace("{m}", Math.round(pos.coords.accuracy));
        const go = form.querySelector("button[data-needs-geo]");
        if (go) go.disabled = false;
      });
    },
    () => {
      forms.forEach((form) => {
        const status = form.querySelector(".geo-status");
        if (status) status.textContent = form.classList.contains("geo-form")
          ? T.geo_none_register
          : T.geo_none;
      });
    },
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
  );
});
