// Sign-up, sign-in and code pages: show refusals htmx would otherwise drop.
// htmx swaps only 2xx answers; a 429 (too many requests) or 503 (try again shortly)
// carries a message the customer must see, so it goes into the step's alert area.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.xhr || detail.xhr.status < 400) { return; }
    var step = detail.elt && detail.elt.closest ? detail.elt.closest("#auth-step") : null;
    var alertArea = step ? step.querySelector("[data-auth-alert]") : null;
    if (!alertArea) { return; }
    detail.shouldSwap = true;
    detail.isError = false;
    detail.target = alertArea;
    detail.swapOverride = "innerHTML";
  });
})();
