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
  function overrun(seconds) {
    var s = Math.abs(seconds), r = s % 60;
    return Math.floor(s / 60) + ":" + (r < 10 ? "0" : "") + r;
  }
  function tick() {
    document.querySelectorAll(".countdown").forEach(function (el) {
      var left = parseFloat(el.dataset.remaining);  // to a tenth of a second: screens shown at other moments agree
      if (el.dataset.status === "running") {
        left -= (Date.now() - parseInt(el.dataset.receivedAt || Date.now(), 10)) / 1000;
      }
      var remaining = Math.ceil(left) || 0;  // as the server counts: whole seconds begun (and never "-00:00")
      el.textContent = format(remaining);
      var words = el.parentElement && el.parentElement.querySelector(".overrun");
      if (words) {  // over time in words too, not only in colour and sign
        words.hidden = remaining >= 0;
        if (remaining < 0) { words.textContent = words.dataset.template.replace("{time}", overrun(remaining)); }
      }
      var amber = parseInt(el.dataset.amber, 10);
      el.classList.toggle("phase-red", remaining < 0);
      el.classList.toggle("phase-amber", remaining >= 0 && remaining <= amber && el.dataset.status !== "not_started");
      el.classList.toggle("phase-normal", remaining > amber);
    });
  }
  setInterval(tick, 250);

  // --- Time that moves with the running clock between two pushes: a budget's used time (data-ticking="up"), the
  // estimated end (data-ticking="end": it holds still while the current clock has time left, data-left, then moves
  // on with the clock of the day; paused or between items it moves at once). The server's figures are the truth; each push replaces them, the browser only ticks between.
  function elapsedSince(el) {
    return Math.floor((Date.now() - parseInt(el.dataset.receivedAt || Date.now(), 10)) / 1000);
  }
  function stampTicking(root) {
    (root || document).querySelectorAll("[data-ticking]").forEach(function (el) { el.dataset.receivedAt = Date.now(); });
  }
  function tickTicking() {
    document.querySelectorAll("[data-ticking]").forEach(function (el) {
      var running = el.dataset.running === "1", elapsed = running ? elapsedSince(el) : 0;
      if (el.dataset.ticking === "up") {
        var seconds = parseInt(el.dataset.seconds, 10) + elapsed;
        if (el.tagName === "METER") { el.value = seconds; } else { el.textContent = format(seconds); }
      } else if (el.dataset.ticking === "end") {
        var moved = Math.max(0, elapsed - parseInt(el.dataset.left || "0", 10));  // still while the clock has time
        var end = new Date(parseInt(el.dataset.endsAt, 10) + moved * 1000);
        var zone = el.closest("[data-timezone]");  // the team's, said once by the page (not in every push)
        el.textContent = end.toLocaleTimeString(document.documentElement.lang || undefined,
          {hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone ? zone.dataset.timezone : undefined});
      }
    });
  }
  setInterval(tickTicking, 250);

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
    if (id && lastBell !== null && id !== lastBell) {
      chime();
      // The panel is re-rendered on every change; a region that stays put tells screen readers.
      var announcer = document.getElementById("announcer");
      if (announcer) { announcer.textContent = bell.textContent.replace(/\s+/g, " ").trim(); }
    }
    lastBell = id;
  }

  // --- The phone's bell after a ring: the rung state, then a countdown until it may ring again.
  var cooldownTimer = null;
  function cooldown() {
    var button = document.getElementById("ring-bell");
    clearInterval(cooldownTimer);
    if (!button || !button.dataset.cooldown) { return; }
    var until = Date.now() + parseInt(button.dataset.cooldown, 10) * 1000;
    cooldownTimer = setInterval(function () {
      var left = Math.ceil((until - Date.now()) / 1000);
      var bar = button.querySelector(".cooldown-bar");
      if (left <= 0 || !document.body.contains(button)) {
        clearInterval(cooldownTimer);
        button.classList.remove("rung");
        button.querySelector(".bell-label").textContent = button.dataset.readyLabel;
        if (bar) { bar.remove(); }
        return;
      }
      if (!bar) { bar = document.createElement("span"); bar.className = "cooldown-bar"; bar.setAttribute("aria-hidden", "true"); button.appendChild(bar); }
      bar.textContent = left + " s";
    }, 250);
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

  // --- Wide tables scroll inside a box that a keyboard can reach (focusable, named), not the whole page.
  function scrollBoxes(root) {
    (root || document).querySelectorAll("table").forEach(function (table) {
      if (table.closest(".scroll-box")) { return; }
      var box = document.createElement("div"), section = table.closest("section, .card, main");
      var heading = table.caption || (section && section.querySelector("h1, h2, h3"));
      box.className = "scroll-box";
      box.setAttribute("role", "region");
      box.setAttribute("tabindex", "0");
      box.setAttribute("aria-label", heading ? heading.textContent.replace(/\s+/g, " ").trim() : document.title);
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  // --- A live fragment pushed to every screen carries nobody's CSRF token: put in this reader's own.
  function fillTokens(root) {
    var match = /"X-CSRFToken": "([^"]*)"/.exec(document.body.getAttribute("hx-headers") || "");
    if (!match) { return; }
    root.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
      if (!input.value) { input.value = match[1]; }
    });
  }

  // --- A refused form: the focus goes to the summary of what to fix, at the top (its links lead to the fields).
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () { stamp(); stampTicking(); tick(); tickTicking(); checkBell(); showMute(); cooldown(); scrollBoxes(); focusErrorSummary(); });
  document.addEventListener("htmx:afterSwap", function (event) {
    fillTokens(event.target); stamp(event.target); stampTicking(event.target); tick(); tickTicking(); checkBell(); cooldown();
    scrollBoxes(event.target); reopen();
    if (event.target.id === "decide-panel") {  // the decision form opened: start at its first field
      var first = event.target.querySelector("#decide-form input:not([type=hidden]), #decide-form textarea, #decide-form select");
      var heading = document.getElementById("decide-heading");
      if (first) { first.focus(); } else if (heading) { heading.focus(); }
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.dataset.fill !== undefined) {  // a client the reference matches: fill it in, check it, go on
      var reference = document.getElementById("client_reference");
      reference.value = target.dataset.fill;
      reference.dispatchEvent(new Event("input", {bubbles: true}));
      var next = document.getElementById("title");
      if (next) { next.focus(); }
    } else if (target.id === "mute-toggle") {
      localStorage.setItem("belletje-muted", localStorage.getItem("belletje-muted") === "1" ? "0" : "1");
      showMute();
    } else if (target.hasAttribute("data-close-details")) {
      var open = target.closest("details");
      if (open) { closeDetails(open); }
    } else if (target.getAttribute("aria-expanded") !== null && target.getAttribute("aria-controls")) {
      // Fold-outs are buttons that say whether they are open (help, defer, the planner's "defer or move").
      var panel = document.getElementById(target.getAttribute("aria-controls"));
      if (!panel) { return; }
      panel.hidden = !panel.hidden;
      target.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
      var field = !panel.hidden && panel.querySelector("input, select, textarea");
      if (field && target.id !== "help-toggle") { field.focus(); }
    } else if (target.dataset.clears) {
      closeDecision();
    }
  });

  // --- The item form: a regular review opens its case preparation; the minutes show the label's default; the
  // "treatment finishes" box shows only for an announcement of a regular review (unticked when it goes).
  function showProposedOutcome() {
    var box = document.getElementById("proposed-outcome"), form = document.getElementById("item-form");
    if (!box || !form) { return; }
    var track = form.querySelector("input[name=track]:checked"), label = form.querySelector("input[name=label]:checked");
    var fits = Boolean(track && label && track.value === "regular" && label.value === "announcement");
    if (!fits && box.querySelector(".error")) { return; }  // a refused box stays with its message
    box.hidden = !fits;
    if (!fits) { box.querySelectorAll("input[type=checkbox]").forEach(function (c) { c.checked = false; }); }
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name === "track" && input.value === "regular") {
      var toggle = document.getElementById("prep-toggle"), prep = document.getElementById("regular-prep");
      if (toggle && prep) { prep.hidden = false; toggle.setAttribute("aria-expanded", "true"); }
    }
    if (input.name === "track" || input.name === "label") { showProposedOutcome(); }
    var minutes = document.getElementById("minutes");
    if (input.name === "label" && minutes && minutes.dataset.defaults) {
      minutes.placeholder = JSON.parse(minutes.dataset.defaults)[input.value] || minutes.placeholder;
    }
  });

  // --- The decision panel: closing it (its button, Escape) gives the focus back to what opened it.
  var decisionOpener = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.target && event.detail.target.id === "decide-panel" && event.detail.elt.id !== "decide-form") {
      decisionOpener = event.detail.elt;
    }
  });
  function decisionOpen() {
    var panel = document.getElementById("decide-panel");
    return Boolean(panel && panel.querySelector("#decide"));
  }
  function closeDecision() {
    document.getElementById("decide-panel").innerHTML = "";
    var opener = decisionOpener && document.body.contains(decisionOpener) ? decisionOpener : document.getElementById("decide-link");
    if (opener) { opener.focus(); }
  }

  // --- The look back by keyboard: after a review the rows may re-sort (a moved due date); the focus goes to the
  // first action not reviewed yet, so none is skipped.
  var reviewing = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.closest && event.detail.elt.closest(".look-back")) { reviewing = true; }
  });
  // After the settle: a row keeps its old class (htmx settles attributes of elements that keep their id) until then.
  document.addEventListener("htmx:afterSettle", function (event) { nextInLookBack(event.target); });
  function nextInLookBack(root) {  // root: a node the swap put in (the list itself, or what holds it)
    if (!reviewing || !root.querySelector || (root.id !== "open-actions" && !root.querySelector("#open-actions"))) { return; }
    reviewing = false;
    var next = document.querySelector("#open-actions li:not(.reviewed) .choice-row button");
    var onward = document.getElementById("to-consent");
    if (next) { next.focus(); } else if (onward) { onward.focus(); }
  }

  // --- Chair keyboard shortcuts on the projector: a key clicks the control that names it in aria-keyshortcuts
  // (which tells screen readers too), or in data-shortcut on a screen that does not name it yet (the session's).
  function shortcutFor(key) {
    var name = key === " " ? "Space" : key.toUpperCase();
    return Array.prototype.find.call(document.querySelectorAll("[aria-keyshortcuts], [data-shortcut]"), function (el) {
      return el.getAttribute("aria-keyshortcuts") === name || el.getAttribute("data-shortcut") === key;
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.closest("#decide-form")) {
      event.preventDefault();  // Ctrl+Enter records the decision from any field of its form
      var record = document.getElementById("record-decision");
      if (record) { record.click(); }
      return;
    }
    if (!document.body.classList.contains("projector") || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {  // the last thing opened closes first: the help, the decision, the preparation
      var help = document.getElementById("help"), toggle = document.getElementById("help-toggle");
      if (help && !help.hidden) {
        help.hidden = true;
        if (toggle) { toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
      } else if (decisionOpen()) {
        closeDecision();
      } else {
        document.querySelectorAll("details.story-full[open]").forEach(closeDetails);
      }
      return;
    }
    if (event.target.closest("input, textarea, select, [contenteditable], #decide-panel")) { return; }
    if (event.key === " " && event.target.closest(".look-back button")) {  // a stray Space records no review
      event.preventDefault();
      return;
    }
    if (event.key === " " && event.target.closest("button, a")) { return; }  // Space presses the focused control
    var control = event.key.length === 1 && shortcutFor(event.key.toLowerCase());
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
