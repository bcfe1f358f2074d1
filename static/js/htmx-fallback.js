// Load the local htmx copy when the CDN could not be reached (an external file: CSP-safe).
(function () {
  if (window.htmx) { return; }
  var src = document.currentScript.getAttribute("data-local-src");
  if (document.readyState === "loading") {
    // Parser-inserted, so it runs before DOMContentLoaded: an appended (async) script can
    // run after that event but before "complete", when htmx would never initialise.
    document.write('<script src="' + src.replace(/"/g, "&quot;") + '"><\/script>');
    return;
  }
  var script = document.createElement("script");
  script.src = src;
  document.head.appendChild(script);
})();
