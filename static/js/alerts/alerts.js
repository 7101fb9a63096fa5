// The alerts page: the filters apply as they change; alerts arriving while the page is open
// are marked as new (feed.js keeps the list itself).
(function () {
  "use strict";
  var S = window.SafeCity;
  var filters = document.querySelector("[data-alert-filters]");
  var list = document.getElementById("alerts");

  filters.addEventListener("change", function () { filters.submit(); });

  S.onAlert(function (event, alert) {
    if (event !== "created") return;
    var item = list.querySelector('[data-alert-id="' + alert.id + '"]');
    if (item) item.classList.add("fresh");
  });
})();
