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

  // --- Character counters under text areas (data-counter): "123 of 1500 characters" while typing.
  function count(area) {
    var counter = document.getElementById(area.id + "-count");
    if (!counter) { return; }
    var limit = parseInt(counter.dataset.limit, 10);
    counter.textContent = counter.dataset.template.replace("{used}", area.value.length).replace("{limit}", limit);
    counter.classList.toggle("over", area.value.length >= limit);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-counter]")) { count(event.target); }
  });

  // --- A <details data-keep-open> stays as the person left it when a live panel is swapped in again (a bell,
  // a pause...). Their intent is taken from their own clicks and keys, not from toggle events, which also
  // fire for the reopening itself.
  var keptOpen = {};
  function keep(details, open) {
    if (!details || !details.id || !details.hasAttribute("data-keep-open")) { return; }
    if (open) { keptOpen[details.id] = true; } else { delete keptOpen[details.id]; }
  }
  document.addEventListener("click", function (event) {
    var summary = event.target.closest && event.target.closest("summary");
    if (summary && summary.parentElement.tagName === "DETAILS") { keep(summary.parentElement, !summary.parentElement.open); }
  });
  function closeDetails(details) {
    details.open = false;
    keep(details, false);
  }
  function reopen() {
    Object.keys(keptOpen).forEach(function (id) {
      var details = document.getElementById(id);
      if (details) { details.open = true; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { stamp(); tick(); checkBell(); showMute(); });
  document.addEventListener("htmx:afterSwap", function (event) { stamp(event.target); tick(); checkBell(); reopen(); });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.id === "mute-toggle") {
      localStorage.setItem("belletje-muted", localStorage.getItem("belletje-muted") === "1" ? "0" : "1");
      showMute();
    } else if (target.hasAttribute("data-close-details")) {
      var open = target.closest("details");
      if (open) { closeDetails(open); }
    } else if (target.id === "help-toggle") {
      var help = document.getElementById("help");
      help.hidden = !help.hidden;
    }
  });

  // --- Chair keyboard shortcuts on the projector: a key clicks the control marked with it.
  document.addEventListener("keydown", function (event) {
    if (!document.body.classList.contains("projector") || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      document.querySelectorAll("details.story-full[open]").forEach(closeDetails);
      return;
    }
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
