// Small behaviours that htmx does not cover. No inline script: the CSP forbids it.
(function () {
  "use strict";

  // --- Countdowns: the server renders the remaining seconds; the browser only ticks between updates.
  function format(seconds) {
    var sign = seconds < 0 ? "-" : "", s = Math.abs(seconds);
    var m = Math.floor(s / 60), r = s % 60;
    return sign + (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }
  function stamp(root) {
    (root || document).querySelectorAll(".countdown").forEach(function (el) { el.dataset.receivedAt = Date.now(); });
  }
  function tick() {
    document.querySelectorAll(".countdown").forEach(function (el) {
      var remaining = parseInt(el.dataset.remaining, 10);
      if (el.dataset.status === "running") {
        remaining -= Math.floor((Date.now() - parseInt(el.dataset.receivedAt || Date.now(), 10)) / 1000);
      }
      el.textContent = format(remaining);
      var amber = parseInt(el.dataset.amber, 10);
      el.classList.toggle("phase-red", remaining < 0);
      el.classList.toggle("phase-amber", remaining >= 0 && remaining <= amber && el.dataset.status !== "not_started");
      el.classList.toggle("phase-normal", remaining > amber);
    });
  }
  setInterval(tick, 250);

  // --- The bell's chime on the projector, once per new ring, unless muted.
  var lastBell = null;
  function chime() {
    if (localStorage.getItem("belletje-muted") === "1") { return; }
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      [880, 1320].forEach(function (freq, i) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = freq; osc.connect(gain); gain.connect(ctx.destination);
        var t = ctx.currentTime + i * 0.18;
        gain.gain.setValueAtTime(0.25, t); gain.gain.exponentialRampToValueAtTime(0.001, t + 0.6);
        osc.start(t); osc.stop(t + 0.65);
      });
    } catch (e) { /* no audio: the visual is enough */ }
  }
  function checkBell() {
    var bell = document.getElementById("bell");
    if (!bell || !document.body.classList.contains("projector")) { return; }
    var id = bell.dataset.bellId || "";
    if (id && lastBell !== null && id !== lastBell) { chime(); }
    lastBell = id;
  }
  function showMute() {
    var button = document.getElementById("mute-toggle");
    if (!button) { return; }
    var muted = localStorage.getItem("belletje-muted") === "1";
    button.textContent = muted ? button.dataset.mutedLabel : button.dataset.unmutedLabel;
    button.setAttribute("aria-pressed", muted ? "true" : "false");
  }

  // --- A live fragment pushed to every screen carries nobody's CSRF token: put in this reader's own.
  function fillTokens(root) {
    var match = /"X-CSRFToken": "([^"]*)"/.exec(document.body.getAttribute("hx-headers") || "");
    if (!match) { return; }
    root.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
      if (!input.value) { input.value = match[1]; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { stamp(); tick(); checkBell(); showMute(); });
  document.addEventListener("htmx:afterSwap", function (event) {
    fillTokens(event.target); stamp(event.target); tick(); checkBell();
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.id === "mute-toggle") {
      localStorage.setItem("belletje-muted", localStorage.getItem("belletje-muted") === "1" ? "0" : "1");
      showMute();
    } else if (target.id === "help-toggle") {
      var help = document.getElementById("help");
      help.hidden = !help.hidden;
    }
  });

  // --- Chair keyboard shortcuts on the projector: a key clicks the control marked with it.
  document.addEventListener("keydown", function (event) {
    if (!document.body.classList.contains("projector") || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest("input, textarea, select, [contenteditable]")) { return; }
    var key = event.key === " " ? " " : event.key.toLowerCase();
    var control = document.querySelector('[data-shortcut="' + (key === '"' ? "" : key) + '"]');
    if (!control) { return; }
    event.preventDefault();
    control.click();
  });

  // --- A live stream that fails for good (expired session, server gone): reload once it answers again.
  // The extension reconnects by itself; reload only if it has not managed within 15 seconds.
  var reloadTimer = null;
  document.addEventListener("htmx:sseError", function () {
    if (reloadTimer === null) {
      reloadTimer = setTimeout(function () { window.location.reload(); }, 15000);
    }
  });
  document.addEventListener("htmx:sseOpen", function () {
    clearTimeout(reloadTimer);
    reloadTimer = null;
  });
})();
