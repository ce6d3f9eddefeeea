// Location: fill the phone's position into the check-in form, the form that registers the
// enterprise's location, and the photo forms (where a photo was taken). Every form works
// without this file (location is optional; the server decides what it means).
document.addEventListener("DOMContentLoaded", () => {
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
        if (status) status.textContent = "已取得手机定位（精度约 " + Math.round(pos.coords.accuracy) + " 米）。";
        const go = form.querySelector("button[data-needs-geo]");
        if (go) go.disabled = false;
      });
    },
    () => {
      forms.forEach((form) => {
        const status = form.querySelector(".geo-status");
        if (status) status.textContent = form.classList.contains("geo-form")
          ? "未取得定位，暂不能登记企业位置。"
          : "未取得定位，仍可继续。";
      });
    },
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
  );
});
