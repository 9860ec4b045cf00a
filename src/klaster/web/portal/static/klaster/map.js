/* klaster web maps: Leaflet (vendor/leaflet) over the built-in admin-1 boundaries.
 * Each .klaster-map element names its data block (json_script, see portal/_map.html)
 * and the boundaries URL. Offline unless the data carries a tile URL
 * (KLASTER_MAP_TILE_URL). No inline script: the Content-Security-Policy forbids it. */
(function () {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function popupContent(m, text) {
    var box = el("div", null, "km-popup");
    box.appendChild(el("strong", m.name));
    if (m.detail) { box.appendChild(el("div", m.detail)); }
    if (m.url) {
      var link = el("a", text.open);
      link.href = m.url;
      box.appendChild(link);
    }
    return box;
  }

  function regionStyle(data, feature) {
    var shading = data.shading;
    var base = {color: "#505050", weight: 1, opacity: 1};
    if (!shading) {
      base.fillColor = "#f3f1ec";
      base.fillOpacity = data.tiles ? 0.1 : 1;
      return base;
    }
    var region = shading.regions[feature.id];
    base.fillColor = region ? shading.classes[region["class"]].colour
      : (shading.no_data ? shading.no_data.colour : "#ffffff");
    base.fillOpacity = data.tiles ? 0.6 : 1;
    return base;
  }

  function regionLabel(data, feature) {
    var name = data.names[feature.id] || feature.properties.name_local || feature.id;
    var region = data.shading && data.shading.regions[feature.id];
    if (!region) { return name; }
    var value = data.shading.kind === "lq"
      ? region.value.toLocaleString(document.documentElement.lang, {maximumFractionDigits: 2})
      : String(region.value);
    return name + ": " + value;
  }

  function draw(container) {
    if (container.dataset.ready) { return; }
    container.dataset.ready = "1";
    var data = JSON.parse(document.getElementById(container.dataset.map).textContent);
    var text = data.text;
    var map = L.map(container, {scrollWheelZoom: false, zoomControl: false, zoomSnap: 0.25});
    L.control.zoom({zoomInTitle: text.zoom_in, zoomOutTitle: text.zoom_out}).addTo(map);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(data.attribution);
    if (data.tiles) {
      L.tileLayer(data.tiles, {attribution: data.tile_attribution, maxZoom: 18}).addTo(map);
    }
    map.on("popupopen", function (e) {
      var close = e.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", text.close); close.title = text.close; }
    });

    // The view first: Leaflet places a marker only on a map that has one.
    var bounds = L.latLngBounds(data.markers.map(function (m) { return [m.lat, m.lon]; }));
    // The map of clusters shows the whole programme area (Poland, Belarus, Lithuania:
    // the extent of the boundaries, refined when they arrive); a member map, its points.
    var whole = data.kind === "clusters" || !data.markers.length;
    if (whole) {
      map.fitBounds([[49.0, 14.1], [56.45, 32.8]]);
    } else if (data.markers.length === 1) {
      map.setView(bounds.getCenter(), 8);
    } else {
      map.fitBounds(bounds.pad(0.15), {maxZoom: 9});
    }
    data.markers.forEach(function (m) {
      var half = m.px / 2;
      // One SVG per kind and size in data.icons, not one per marker (page weight).
      var icon = L.divIcon({html: data.icons[m.icon], className: "km-marker", iconSize: [m.px, m.px],
                            iconAnchor: [half, half], popupAnchor: [0, -half]});
      var marker = L.marker([m.lat, m.lon], {icon: icon, title: m.name, keyboard: true,
                                             riseOnHover: true}).addTo(map);
      marker.bindTooltip(m.name, {direction: "top", offset: [0, -half]});
      marker.bindPopup(function () { return popupContent(m, text); });
      var node = marker.getElement();
      node.setAttribute("aria-label", m.detail ? m.name + " — " + m.detail : m.name);
      node.dataset.label = m.name;
    });

    fetch(container.dataset.boundaries, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        var layer = L.geoJSON(geojson, {
          style: function (f) { return regionStyle(data, f); },
          onEachFeature: function (f, l) {
            l.bindTooltip(regionLabel(data, f), {sticky: true});
          }
        }).addTo(map);
        layer.bringToBack();
        container.dataset.regions = String(geojson.features.length);
        if (whole) { map.fitBounds(layer.getBounds()); }
      });
  }

  function start() {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll(".klaster-map").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
