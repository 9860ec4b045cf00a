/* plotly.js's toolbar words and number separators in the page's language.
   The locale (klaster.reports.i18n.plotly_locale_spec) is JSON in #plotly-locale; this
   file registers it and makes it the default for every plot drawn afterwards: at once
   when plotly.js is already there, else through klaster/plotly-loader.js's queue (plotly.js
   loaded after the page), before the page's charts. */
(function () {
  "use strict";
  var el = document.getElementById("plotly-locale");
  if (!el) { return; }
  function register(Plotly) {
    var spec = JSON.parse(el.textContent);
    Plotly.register(spec);
    Plotly.setPlotConfig({locale: spec.name});
  }
  if (typeof Plotly !== "undefined") {
    register(Plotly);
  } else if (window.klasterPlotly) {
    window.klasterPlotly(register);
  }
})();
