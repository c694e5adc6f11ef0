/* Draws the agreement dashboard from the JSON in #dashboard-data, with vendored Chart.js and Leaflet. */
(function () {
  "use strict";
  var PALETTE = ["#c0392b", "#2471a3", "#d68910", "#7d3c98", "#1e8449", "#a04000", "#5d6d7e", "#aab7b8"];
  var STATE_COLOURS = { met: "#1e8449", missed: "#c0392b", due: "#2471a3", waived: "#7f8c8d" };

  function drawViolations(timeline) {
    var canvas = document.getElementById("violations-chart");
    var names = Object.keys(timeline.series);
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: timeline.days,
        datasets: names.map(function (name, i) {
          return { label: name, data: timeline.series[name], backgroundColor: PALETTE[i % PALETTE.length] };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true, ticks: { maxTicksLimit: 12 } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { title: { display: names.length === 0, text: "No violations in this window" } }
      }
    });
  }

  function drawDeadlines(deadlines) {
    var canvas = document.getElementById("deadlines-chart");
    var states = ["met", "missed", "due", "waived"];
    return new Chart(canvas, {
      type: "scatter",
      data: {
        datasets: states.map(function (state) {
          return {
            label: state, backgroundColor: STATE_COLOURS[state], pointRadius: 6,
            data: deadlines.filter(function (d) { return d.state === state; }).map(function (d) {
              return { x: d.due_ms, y: state, description: d.description, due: d.due };
            })
          };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          x: { type: "linear", ticks: { callback: function (v) { return new Date(v).toISOString().slice(0, 10); }, maxTicksLimit: 6 } },
          y: { type: "category", labels: states, offset: true }
        },
        plugins: { tooltip: { callbacks: { label: function (c) { return c.raw.due + ": " + c.raw.description; } } } }
      }
    });
  }

  function drawMap(map) {
    var element = document.getElementById("incident-map");
    var leafletMap = TrackerMap.neutral(L.map(element, { zoomSnap: 0.25 }));
    var bounds = L.latLngBounds([]);
    var areas = TrackerMap.drawAreas(leafletMap, map.areas);
    if (map.areas.features.length) { bounds.extend(areas.getBounds()); }
    var markers = map.points.map(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: p.violation ? 6 : 4, color: p.violation ? "#922b21" : "#566573",
        fillColor: p.violation ? "#e74c3c" : "#aab7b8", fillOpacity: 0.8, weight: 1
      });
      var popup = document.createElement("div");
      var title = document.createElement(p.url ? "a" : "b");
      title.textContent = p.label;
      if (p.url) { title.href = p.url; }
      popup.appendChild(title);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(document.createTextNode(p.perpetrator + " · killed " + p.killed + ", injured " + p.injured));
      marker.bindPopup(popup);
      bounds.extend([p.lat, p.lon]);
      return marker;
    });
    // The view must exist before vector layers are added. No tile layer: the outlines are the map.
    if (bounds.isValid()) { leafletMap.fitBounds(bounds.pad(0.1)); } else { leafletMap.setView([35.8, 36.7], 8); }
    areas.addTo(leafletMap);
    markers.forEach(function (marker) { marker.addTo(leafletMap); });
    L.control.scale({ imperial: false }).addTo(leafletMap);
    TrackerMap.addLegend(leafletMap, areas.legend.concat([
      { name: "Incident breaching this agreement", colour: "#922b21", fill: "#e74c3c", round: true },
      { name: "Other incident in its areas", colour: "#566573", fill: "#aab7b8", round: true }
    ]));
    element.dataset.points = String(map.points.length);
    element.dataset.violations = String(map.points.filter(function (p) { return p.violation; }).length);
    element.dataset.areas = String(map.areas.features.length);
    return leafletMap;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = JSON.parse(document.getElementById("dashboard-data").textContent);
    drawViolations(data.timeline);
    drawDeadlines(data.deadlines);
    drawMap(data.map);
    document.body.dataset.dashboardReady = "true";
  });
})();
