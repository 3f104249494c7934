/* Progressive enhancement for the coordinator UI. Every page works without it. */
(function () {
  "use strict";

  // The waiting page of a planning run polls its JSON status (pretix's AsyncAction shape).
  function pollRun(box) {
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var fields = {};
    box.querySelectorAll("[data-field]").forEach(function (el) { fields[el.getAttribute("data-field")] = el; });
    function set(name, value) { if (fields[name]) { fields[name].textContent = value; } }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.value = s.progress;
          bar.textContent = s.progress + " %";
          set("progress", s.progress + " %");
          set("status", s.status_text);
          set("phase", s.phase);
          set("elapsed", s.elapsed_seconds.toLocaleString("da-DK") + " s");
          set("objective", s.objective === null ? "–" : Math.round(s.objective).toLocaleString("da-DK"));
          set("gap", s.gap === null ? "–" : (100 * s.gap).toLocaleString("da-DK", { maximumFractionDigits: 1 }) + " %");
          set("unplaced", s.unplaced === null ? "–" : s.unplaced);
          set("real_gap_text", s.real_gap_text || "–");
          if (s.message) { set("message", s.message); }
          if (!s.ready) { window.setTimeout(tick, 1000); return; }
          box.setAttribute("data-ready", "true");
          var cancel = document.getElementById("cancel-run");
          if (cancel) { cancel.hidden = true; }
          var done = document.getElementById("run-done");
          if (done) { done.hidden = false; }
          if (s.redirect) {
            var link = document.getElementById("run-result");
            if (link) { link.href = s.redirect; link.focus(); }
            window.setTimeout(function () { window.location.assign(s.redirect); }, 800);
          }
        })
        .catch(function () { window.setTimeout(tick, 2000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-status-url]");
    if (box) { pollRun(box); }
    // Copy buttons for links shown once (hidden without JavaScript: the field can be copied by hand).
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var field = document.getElementById(button.getAttribute("data-copy"));
        field.select();
        var done = function () { button.textContent = "Kopieret ✓"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
        } else { document.execCommand("copy"); done(); }
      });
    });
  });

  // After htmx loads an appointment into the side panel (or the drawer below 1,100 px), open it and move
  // focus there for keyboard users, without scrolling the page.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "detail") {
      target.classList.add("open");
      var heading = target.querySelector("h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
    }
  });

  // The selected block keeps a mark while its panel is open.
  document.addEventListener("click", function (event) {
    var block = event.target.closest ? event.target.closest("a.wb, a.block") : null;
    if (block) {
      document.querySelectorAll(".wb.selected, .block.selected").forEach(function (el) { el.classList.remove("selected"); });
      block.classList.add("selected");
      return;
    }
    var close = event.target.closest ? event.target.closest("[data-close-panel]") : null;
    if (close) {
      event.preventDefault();
      var panel = document.getElementById("detail");
      if (panel) { panel.classList.remove("open"); }
      document.querySelectorAll(".wb.selected, .block.selected").forEach(function (el) { el.classList.remove("selected"); });
    }
  });

  // A full-page round trip (planning run, a post without htmx) comes back to where the coordinator was.
  var KEEP = "ugeskema-keep-scroll";
  document.addEventListener("submit", function (event) {
    if (event.target.closest("[data-keep-scroll]") || !event.target.hasAttribute("hx-post")) {
      try {
        window.sessionStorage.setItem(KEEP, JSON.stringify({ path: window.location.pathname, y: window.scrollY, t: Date.now() }));
      } catch (e) { /* storage off: nothing to keep */ }
    }
  }, true);
  document.addEventListener("DOMContentLoaded", function () {
    var kept = null;
    try { kept = JSON.parse(window.sessionStorage.getItem(KEEP) || "null"); } catch (e) { kept = null; }
    // Only the page the form was sent from, and only on the way back from it (a run takes a few minutes).
    if (kept && kept.path === window.location.pathname && !window.location.hash && Date.now() - kept.t < 600000) {
      window.sessionStorage.removeItem(KEEP);
      window.scrollTo(0, kept.y);
    }
  });
})();
