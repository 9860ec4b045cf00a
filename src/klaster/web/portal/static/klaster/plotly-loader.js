/* Loads plotly.js (about 1 MB to parse even as npm's partial bundle) only after the page's
   load event, so the page's text and tables are shown and usable first and the browser's
   load does not wait for the charts (docs/web.md, page weight). Written by
   {% plotly_js %} (klaster.web.portal.templatetags.klaster_assets) with the bundle's URL
   in data-plotly; a static file, no inline code (Content-Security-Policy).

   The page's chart scripts (deferred, after this one) hand their drawing to
   klasterPlotly(fn): fn(Plotly) runs once plotly.js has loaded, in the order the scripts
   called it (the locale first: {% plotly_locale %} comes before the page's charts).
   When everything queued has run, the performance mark "klaster-charts" is set
   (benchmarks/page_weight.py reports it as the time until the charts are drawn). */
(function () {
  "use strict";
  var me = document.currentScript;
  var src = me && me.getAttribute("data-plotly");
  var queue = [];
  var ready = false;

  function call(fn) {
    try {
      fn(window.Plotly);
    } catch (err) {
      // one failing chart does not stop the others; the error still reaches the console
      window.setTimeout(function () { throw err; }, 0);
    }
  }

  function run() {
    ready = true;
    queue.splice(0).forEach(call);
    if (window.performance && performance.mark) { performance.mark("klaster-charts"); }
  }

  window.klasterPlotly = function (fn) {
    if (ready) { call(fn); } else { queue.push(fn); }
  };

  function load() {
    if (typeof window.Plotly !== "undefined") { run(); return; }
    if (!src) { return; }
    var script = document.createElement("script");
    script.src = src;
    script.onload = run;
    document.head.appendChild(script);
  }

  // After the load event (a script added then does not delay it); setTimeout lets the
  // load event's own handlers finish first.
  if (document.readyState === "complete") {
    window.setTimeout(load, 0);
  } else {
    window.addEventListener("load", function () { window.setTimeout(load, 0); });
  }
}());
