// htmx without waiting for the network: the CDN copy (pinned with SRI) is inserted by this
// script, so it blocks neither parsing nor first paint; when the CDN fails or has not
// answered within data-timeout-ms, the local copy is inserted instead. Exactly one copy
// runs. Both carry this script's nonce (the CSP's 'strict-dynamic' admits them anyway).
(function () {
  "use strict";
  var current = document.currentScript;
  if (!current || window.htmx) { return; }
  var data = current.dataset;
  var nonce = current.nonce || "";
  var waitMs = parseInt(data.timeoutMs, 10) || 1500;
  var domReady = document.readyState !== "loading";
  var settled = false;
  var timer = null;

  document.addEventListener("DOMContentLoaded", function () { domReady = true; });

  // htmx 2.0.4 starts on DOMContentLoaded, or at once when the document is "complete".
  // A copy that runs in between (after DOMContentLoaded, while images or this very load
  // still hold back "complete") would wait for an event that has gone: give it the event
  // again. The page's other listeners on it are idempotent (portal.js countdowns).
  function startLateHtmx() {
    if (window.htmx && domReady && document.readyState !== "complete") {
      document.dispatchEvent(new Event("DOMContentLoaded"));
    }
  }

  function insert(src, integrity) {
    var script = document.createElement("script");
    script.nonce = nonce;
    if (integrity) {
      script.integrity = integrity;
      script.crossOrigin = "anonymous";
    }
    script.src = src;
    document.head.appendChild(script);
    return script;
  }

  var cdn = insert(data.cdnSrc, data.integrity);

  function useLocal() {
    if (settled) { return; }
    settled = true;
    window.clearTimeout(timer);
    // A removed script still runs when its response arrives; one moved into another
    // document never does (HTML: a script runs only in the document it was prepared in).
    document.implementation.createHTMLDocument("").adoptNode(cdn);
    if (window.htmx) { return; }
    insert(data.localSrc, "").addEventListener("load", startLateHtmx);
  }

  cdn.addEventListener("load", function () {
    if (settled) { return; }
    settled = true;
    window.clearTimeout(timer);
    startLateHtmx();
  });
  cdn.addEventListener("error", useLocal);
  timer = window.setTimeout(useLocal, waitMs);
})();
