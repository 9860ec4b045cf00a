// Charts of the cluster profile page (portal/cluster.html). The data come from the page's
// <script type="application/json" id="cluster-charts-data"> (Django's json_script), the
// drawing from the site's one plotly.js file, loaded after the page (klaster/plotly-loader.js);
// no inline script (Content-Security-Policy).
(function () {
  "use strict";
  function draw(Plotly) {
    var source = document.getElementById("cluster-charts-data");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "en";
    var config = { responsive: true, displaylogo: false, locale: lang,
                   modeBarButtonsToRemove: ["select2d", "lasso2d"] };
    var layout = { margin: { l: 48, r: 12, t: 8, b: 40 }, height: 260,
                   paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
                   separators: lang === "en" ? ".," : ", " };
    function plot(id, traces, extra) {
      var el = document.getElementById(id);
      if (!el) { return; }
      Plotly.newPlot(el, traces, Object.assign({}, layout, extra || {}), config);
    }
    plot("chart-helix", [{ type: "bar", x: data.helix.values, y: data.helix.labels,
                           orientation: "h", marker: { color: "#0d6efd" },
                           hovertemplate: "%{y}: %{x}<extra></extra>" }],
         { margin: { l: 170, r: 12, t: 8, b: 32 }, yaxis: { automargin: true, autorange: "reversed" },
           xaxis: { dtick: 1, rangemode: "tozero" } });
    plot("chart-growth", [{ type: "scatter", mode: "lines+markers", x: data.growth.years,
                            y: data.growth.values, line: { color: "#198754" },
                            hovertemplate: "%{x}: %{y}<extra></extra>" }],
         { xaxis: { dtick: 1, title: { text: data.growth.axis } },
           yaxis: { rangemode: "tozero" } });
    var colours = ["#0d6efd", "#6f42c1", "#fd7e14"];
    plot("chart-income", data.income.series.map(function (s, i) {
      return { type: "bar", name: s.name, x: data.income.years, y: s.values,
               marker: { color: colours[i % colours.length] } };
    }), { barmode: "stack", xaxis: { dtick: 1 }, legend: { orientation: "h", y: -0.2 } });
  }
  if (window.klasterPlotly) { window.klasterPlotly(draw); }
}());
