// Load the local htmx copy when the CDN could not be reached (an external file: CSP-safe).
// The CSP admits scripts by nonce only, so the copy is given this script's nonce.
(function () {
  if (window.htmx) { return; }
  var current = document.currentScript;
  var src = current.getAttribute("data-local-src");
  var nonce = current.nonce || "";
  var quote = function (text) { return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;"); };
  if (document.readyState === "loading") {
    // Parser-inserted, so it runs before DOMContentLoaded: an appended (async) script can
    // run after that event but before "complete", when htmx would never initialise.
    document.write('<script nonce="' + quote(nonce) + '" src="' + quote(src) + '"><\/script>');
    return;
  }
  var script = document.createElement("script");
  script.nonce = nonce;
  script.src = src;
  document.head.appendChild(script);
})();
