/* The KPI dashboard's small multiples: one small chart per KPI, drawn from the JSON in
   #kpi-panels (klaster.assessment.labels.kpi_panels). Values in the hover box are the
   server's formatted texts (locale separators, units, yes/no words); axes follow the
   plotly locale registered by klaster-i18n/plotly-locale.js. Loaded with defer after
   {% plotly_js %}; draws once plotly.js has loaded after the page (klaster/plotly-loader.js). */
(function () {
  "use strict";
  var data = document.getElementById("kpi-panels");
  if (!data || !window.klasterPlotly) { return; }
  var groups = JSON.parse(data.textContent);
  window.klasterPlotly(function (Plotly) { start(Plotly, groups); });
  function start(Plotly, groups) {
    function draw(el, p) {
      var trace = {x: p.years, y: p.values, text: p.text, mode: "lines+markers",
                   type: "scatter", hovertemplate: "%{x}: %{text}<extra></extra>",
                   line: {width: 2}, marker: {size: 7}};
      var yaxis = Object.assign({automargin: true, fixedrange: true}, p.axis);
      var layout = {height: 170, margin: {l: 10, r: 10, t: 8, b: 28}, showlegend: false,
                    xaxis: {dtick: 1, tickformat: "d", fixedrange: true},
                    yaxis: yaxis};
      Plotly.newPlot(el, [trace], layout, {responsive: true, displaylogo: false,
                                            displayModeBar: false});
    }
    // Each chart is drawn when it comes near the screen: a dashboard has a dozen or more,
    // and drawing those below the fold at once delayed the page's load by seconds on a
    // busy machine (docs/web.md, page weight). Without IntersectionObserver: all at once.
    var observer = "IntersectionObserver" in window ? new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) { return; }
          observer.unobserve(entry.target);
          draw(entry.target, entry.target.kpiPanel);
        });
      }, {rootMargin: "200px 0px"}) : null;
    groups.forEach(function (group) {
      group.panels.forEach(function (p) {
        var el = document.getElementById("kpi-chart-" + p.key);
        if (!el || !p.years.length) { return; }
        if (observer) {
          el.kpiPanel = p;
          observer.observe(el);
        } else {
          draw(el, p);
        }
      });
    });
  }
})();
