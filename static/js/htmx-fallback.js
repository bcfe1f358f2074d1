// Load the local htmx copy when the CDN could not be reached (an external file: CSP-safe).
(function () {
  if (window.htmx) { return; }
  var script = document.createElement("script");
  script.src = document.currentScript.getAttribute("data-local-src");
  document.head.appendChild(script);
})();
