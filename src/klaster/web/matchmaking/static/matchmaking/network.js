/* The network page (matchmaking/network.html): draws the figure from the JSON in
   #network-figure (klaster.web.matchmaking.network.network_payload) with plotly.js and
   fetches the metrics table. A deferred static script after {% plotly_js %} (no inline
   code: Content-Security-Policy); it draws once plotly.js has loaded after the page
   (klaster/plotly-loader.js), so the page and its metrics come first. */
(function () {
  "use strict";
  var source = document.getElementById("network-figure");
  var el = document.getElementById("network-plot");
  var box = document.getElementById("network-metrics");
  if (box) {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.text() : Promise.reject(r.status);
    }).then(function (html) { box.innerHTML = html; }, function () {
      box.querySelector("p").textContent = box.dataset.error;
    });
  }
  if (!source || !el || !window.klasterPlotly) { return; }
  window.klasterPlotly(function (Plotly) {
    var fig = JSON.parse(source.textContent);
    // the plot takes its container's width (a fixed layout width scrolls a phone sideways)
    delete fig.layout.width;
    fig.layout.autosize = true;
    Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false, scrollZoom: true});
    el.on("plotly_click", function (ev) {
      var p = ev.points && ev.points[0];
      if (p && typeof p.customdata === "string") { window.location.href = p.customdata; }
    });
  });
}());
