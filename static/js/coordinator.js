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
          set("elapsed", s.elapsed_seconds.toLocaleString("da-DK") + " s");
          set("objective", s.objective === null ? "–" : Math.round(s.objective).toLocaleString("da-DK"));
          set("gap", s.gap === null ? "–" : (100 * s.gap).toLocaleString("da-DK", { maximumFractionDigits: 1 }) + " %");
          set("unplaced", s.unplaced === null ? "–" : s.unplaced);
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
  });

  // After htmx loads an appointment into the side panel, move focus there (keyboard users).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "detail") {
      var heading = target.querySelector("h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  });
})();
