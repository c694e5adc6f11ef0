/* Draws the agreement dashboard from the JSON in #dashboard-data, with vendored Chart.js and Leaflet.
   Texts come from Django's JavaScript catalog (gettext); in a right-to-left language the charts'
   legends and tooltips run right to left, the value axis sits on the right, and the map's controls
   and legend swap sides. Dates and numbers are written with the page's language (Intl). */
(function () {
  "use strict";
  var PALETTE = ["#c0392b", "#2471a3", "#d68910", "#7d3c98", "#1e8449", "#a04000", "#5d6d7e", "#aab7b8"];
  var STATE_COLOURS = { met: "#1e8449", missed: "#c0392b", due: "#2471a3", waived: "#7f8c8d" };
  var LANGUAGE = document.documentElement.lang || "en";
  var RTL = document.documentElement.dir === "rtl";
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };
  // Latin digits, as the sources write them; month names in the page's language, in Arabic the
  // ones written in Syria (نيسان, as Django's pages write them: config/formats/ar, core's catalog).
  var LOCALE = LANGUAGE === "ar" ? "ar-SY" : LANGUAGE;
  var DAY = new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC", numberingSystem: "latn" });
  var SHORT_DAY = new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short", timeZone: "UTC", numberingSystem: "latn" });
  var NUMBER = new Intl.NumberFormat(LOCALE, { numberingSystem: "latn" });
  var STATE_NAMES = {
    met: gettext("met"), missed: gettext("missed"), due: gettext("due"), waived: gettext("waived")
  };

  function isoDay(iso) { return new Date(iso + "T00:00:00Z"); }

  function drawViolations(timeline) {
    var canvas = document.getElementById("violations-chart");
    var names = Object.keys(timeline.series);
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: timeline.days.map(function (d) { return SHORT_DAY.format(isoDay(d)); }),
        datasets: names.map(function (name, i) {
          return { label: name, data: timeline.series[name], backgroundColor: PALETTE[i % PALETTE.length] };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, locale: LOCALE,
        scales: {
          x: { stacked: true, ticks: { maxTicksLimit: 12 } },
          y: { stacked: true, beginAtZero: true, position: RTL ? "right" : "left", ticks: { precision: 0, callback: function (v) { return NUMBER.format(v); } } }
        },
        plugins: {
          legend: { rtl: RTL, textDirection: RTL ? "rtl" : "ltr" },
          tooltip: { rtl: RTL, textDirection: RTL ? "rtl" : "ltr" },
          title: { display: names.length === 0, text: gettext("No violations in this window") }
        }
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
            label: STATE_NAMES[state], backgroundColor: STATE_COLOURS[state], pointRadius: 6,
            data: deadlines.filter(function (d) { return d.state === state; }).map(function (d) {
              return { x: d.due_ms, y: STATE_NAMES[state], description: d.description, due: d.due_label };
            })
          };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, locale: LOCALE,
        scales: {
          x: { type: "linear", ticks: { callback: function (v) { return DAY.format(new Date(v)); }, maxTicksLimit: 6 } },
          y: { type: "category", labels: states.map(function (s) { return STATE_NAMES[s]; }), offset: true, position: RTL ? "right" : "left" }
        },
        plugins: {
          legend: { rtl: RTL, textDirection: RTL ? "rtl" : "ltr" },
          tooltip: {
            rtl: RTL, textDirection: RTL ? "rtl" : "ltr",
            callbacks: { label: function (c) { return c.raw.due + ": " + c.raw.description; } }
          }
        }
      }
    });
  }

  function areaLegend(areas, features) {
    // The areas' names as the page writes them (the buffer in the page's language too).
    return areas.legend.map(function (entry, i) {
      var properties = features[i].properties;
      var name = properties.name;
      if (properties.buffer_km) {
        name += " (" + interpolate(gettext("+%(km)s km"), { km: NUMBER.format(properties.buffer_km) }, true) + ")";
      }
      return { name: name, colour: entry.colour };
    });
  }

  var Scale = L.Control.Scale.extend({
    _updateMetric: function (maxMeters) {
      var meters = this._getRoundNum(maxMeters);
      var label = meters < 1000
        ? interpolate(gettext("%(n)s m"), { n: NUMBER.format(meters) }, true)
        : interpolate(gettext("%(n)s km"), { n: NUMBER.format(meters / 1000) }, true);
      this._updateScale(this._mScale, label, meters / maxMeters);
    }
  });

  function drawMap(map) {
    var element = document.getElementById("incident-map");
    // Controls on the side where a reader of the page's language starts: mirrored in RTL.
    var start = RTL ? "right" : "left";
    var end = RTL ? "left" : "right";
    var leafletMap = TrackerMap.neutral(L.map(element, { zoomSnap: 0.25, zoomControl: false }));
    leafletMap.attributionControl.setPosition("bottom" + end);
    L.control.zoom({ position: "top" + start, zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(leafletMap);
    var bounds = L.latLngBounds([]);
    var areas = TrackerMap.drawAreas(leafletMap, map.areas);
    if (map.areas.features.length) { bounds.extend(areas.getBounds()); }
    var markers = map.points.map(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: p.violation ? 6 : 4, color: p.violation ? "#922b21" : "#566573",
        fillColor: p.violation ? "#e74c3c" : "#aab7b8", fillOpacity: 0.8, weight: 1
      });
      var popup = document.createElement("div");
      popup.dir = "auto";
      var title = document.createElement(p.url ? "a" : "b");
      title.textContent = p.label;
      if (p.url) { title.href = p.url; }
      popup.appendChild(title);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(document.createTextNode(p.perpetrator + " · " + interpolate(
        gettext("killed %(killed)s, injured %(injured)s"),
        { killed: NUMBER.format(p.killed), injured: NUMBER.format(p.injured) }, true)));
      marker.bindPopup(popup);
      bounds.extend([p.lat, p.lon]);
      return marker;
    });
    // The view must exist before vector layers are added. No tile layer: the outlines are the map.
    if (bounds.isValid()) { leafletMap.fitBounds(bounds.pad(0.1)); } else { leafletMap.setView([35.8, 36.7], 8); }
    areas.addTo(leafletMap);
    markers.forEach(function (marker) { marker.addTo(leafletMap); });
    new Scale({ imperial: false, position: "bottom" + start }).addTo(leafletMap);
    TrackerMap.addLegend(leafletMap, areaLegend(areas, map.areas.features).concat([
      { name: gettext("Incident breaching this agreement"), colour: "#922b21", fill: "#e74c3c", round: true },
      { name: gettext("Other incident in its areas"), colour: "#566573", fill: "#aab7b8", round: true }
    ]), "top" + end);
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
