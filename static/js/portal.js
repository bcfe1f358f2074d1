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

  // The customer list's bulk bar: "Select all on this page" and a live "N selected".
  function bulkBoxes(form) {
    return form.querySelectorAll('input[type="checkbox"][name="customer_ids"]');
  }
  function countSelected(form) {
    var boxes = bulkBoxes(form);
    var selected = 0;
    boxes.forEach(function (box) { if (box.checked) { selected += 1; } });
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = selected > 0 && selected === boxes.length;
      all.indeterminate = selected > 0 && selected < boxes.length;
    }
    var count = form.querySelector("[data-selected-count]");
    if (count) {
      var text = selected === 1 ? count.dataset.one : count.dataset.other;
      count.textContent = (text || "").replace("__N__", String(selected));
    }
  }
  function setUpBulkForms(root) {
    root.querySelectorAll("form.bulk-form").forEach(function (form) {
      form.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
      countSelected(form);
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest ? event.target.closest("form.bulk-form") : null;
    if (!form) { return; }
    if (event.target.matches("[data-select-all]")) {
      bulkBoxes(form).forEach(function (box) { box.checked = event.target.checked; });
    }
    countSelected(form);
  });

  // The language menu applies itself (its "Change" button shows only without JavaScript).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("form.language-switcher select")) { return; }
    if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
  });

  // Disclosures marked data-open-wide start open where the screen has room for them.
  function openWide(root) {
    if (!window.matchMedia("(min-width: 64rem)").matches) { return; }
    root.querySelectorAll("details[data-open-wide]").forEach(function (el) { el.open = true; });
  }

  // The list's table was swapped by htmx; the segments panel stays, so mark the segment
  // the new table shows (the server names it in HX-Trigger, or null for none).
  document.addEventListener("segment-current", function (event) {
    var id = event.detail && event.detail.id !== null ? String(event.detail.id) : null;
    document.querySelectorAll("#segments-panel li.segment").forEach(function (item) {
      var current = item.getAttribute("data-segment-id") === id;
      var link = item.querySelector("a.segment-name");
      item.classList.toggle("current", current);
      if (!link) { return; }
      if (current) { link.setAttribute("aria-current", "true"); } else { link.removeAttribute("aria-current"); }
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns(document);
    setUpBulkForms(document);
    openWide(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    startCountdowns(event.target);
    focusMarked(event.target);
    setUpBulkForms(document);
  });
})();
