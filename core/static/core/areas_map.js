/* Agreement areas on a Leaflet map without tiles: each area its own colour and label, and a legend.
   Shared by the dashboards' map and the incident form's map picker. */
(function () {
  "use strict";
  // No red or grey: the dashboards use them for incidents.
  var PALETTE = ["#1f77b4", "#e67e22", "#2ca02c", "#8e44ad", "#8c564b", "#d35400", "#17a589", "#b7950b"];

  // The texts come from Django's JavaScript catalog (/i18n/js/) when the page loads it.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) { return format.replace("%s", values[0]); };

  function colourOf(index) { return PALETTE[index % PALETTE.length]; }

  function isRightToLeft() { return document.documentElement.dir === "rtl"; }

  function neutral(map) {
    // Leaflet's default prefix carries a national flag: out of place on a neutral monitor's map.
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (isRightToLeft()) {
      // Mirrored for a right-to-left page: zoom on the right, legend (topleft) and attribution on the left.
      if (map.zoomControl) { map.zoomControl.setPosition("topright"); }
      map.attributionControl.setPosition("bottomleft");
    }
    return map;
  }

  function drawAreas(map, collection) {
    var index = 0;
    var legend = [];
    var layer = L.geoJSON(collection, {
      style: function (feature) {
        var colour = colourOf(index);
        var line = /LineString/.test(feature.geometry.type);
        return { color: colour, weight: line ? 4 : 2, dashArray: line ? "8 6" : null, fillColor: colour, fillOpacity: 0.12 };
      },
      onEachFeature: function (feature, featureLayer) {
        var name = feature.properties.name;
        if (feature.properties.buffer_km) {
          name += " " + interpolate(gettext("(+%s km)"), [feature.properties.buffer_km]);
        }
        legend.push({ name: name, colour: colourOf(index) });
        featureLayer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "area-label" });
        index += 1;
      }
    });
    layer.legend = legend;
    return layer;
  }

  function addLegend(map, entries, position) {
    var control = L.control({ position: position || (isRightToLeft() ? "topleft" : "topright") });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      entries.forEach(function (entry) {
        var row = L.DomUtil.create("div", "map-legend-row", box);
        var swatch = L.DomUtil.create("span", "map-legend-swatch" + (entry.round ? " round" : ""), row);
        swatch.style.borderColor = entry.colour;
        swatch.style.background = entry.fill || entry.colour + "33";
        row.appendChild(document.createTextNode(entry.name));
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    return control;
  }

  window.TrackerMap = { neutral: neutral, drawAreas: drawAreas, addLegend: addLegend, isRightToLeft: isRightToLeft };
})();
