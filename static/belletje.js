// Small behaviours that htmx does not cover. No inline script: the CSP forbids it.
document.addEventListener("htmx:sseError", function () {
  // An expired session or a server restart: reload once the server answers again.
  setTimeout(function () { window.location.reload(); }, 3000);
});
