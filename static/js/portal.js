// Small progressive enhancements only; every page works without this file.
// It never reads window.htmx: htmx may arrive after this file (static/js/htmx-loader.js),
// and only its events are listened to. The DOMContentLoaded handler may run twice (the
// loader repeats the event for a late htmx), so what it starts is idempotent.
(function () {
  "use strict";

  // Countdown on "Send a new code" buttons: <button data-countdown="60">.
  function startCountdowns(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (button) {
      if (button.dataset.countdownStarted) { return; }
      button.dataset.countdownStarted = "1";
      var seconds = parseInt(button.dataset.countdown, 10) || 0;
      var label = button.querySelector("[data-countdown-label]");
      if (seconds <= 0 || !label) { return; }
      button.disabled = true;
      var tick = function () {
        label.textContent = String(seconds);
        if (seconds <= 0) {
          button.disabled = false;
          var wrap = button.querySelector("[data-countdown-wrap]");
          if (wrap) { wrap.hidden = true; }
          return;
        }
        seconds -= 1;
        window.setTimeout(tick, 1000);
      };
      var wrap = button.querySelector("[data-countdown-wrap]");
      if (wrap) { wrap.hidden = false; }
      tick();
    });
  }

  // Focus the first element marked data-autofocus in newly swapped content.
  function focusMarked(root) {
    var el = root.querySelector("[data-autofocus]");
    if (el) { el.focus(); }
  }

  // Confirm dialogs for destructive buttons: <button data-confirm="Really?">.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    startCountdowns(event.target);
    focusMarked(event.target);
  });
})();
