// "Use my location" on the support finder. Optional: without JavaScript the form is hidden
// and the postcode box works alone. The position is rounded to about 100 m, sent once in
// the body of a POST (never in the address) and not stored.
(function () {
  "use strict";
  var form = document.querySelector("[data-geolocate]");
  if (!form || !("geolocation" in navigator)) return;
  var button = form.querySelector("[data-geolocate-button]");
  var status = form.querySelector("[data-geolocate-status]");
  form.hidden = false;
  form.addEventListener("submit", function (e) {
    if (form.elements.lat.value) return;
    e.preventDefault();
    status.textContent = button.getAttribute("data-msg-working");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(3);
        form.elements.lon.value = pos.coords.longitude.toFixed(3);
        form.submit();
      },
      function () {
        status.textContent = button.getAttribute("data-msg-failed");
        button.disabled = false;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
    );
  });
})();
