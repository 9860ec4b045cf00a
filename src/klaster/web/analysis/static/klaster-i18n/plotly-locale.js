/* plotly.js's toolbar words and number separators in the page's language.
   The locale (klaster.reports.i18n.plotly_locale_spec) is JSON in #plotly-locale; this
   file registers it and makes it the default for every plot drawn afterwards. */
(function () {
  "use strict";
  var el = document.getElementById("plotly-locale");
  if (!el || typeof Plotly === "undefined") { return; }
  var spec = JSON.parse(el.textContent);
  Plotly.register(spec);
  Plotly.setPlotConfig({locale: spec.name});
})();
