/* The incident form's map picker: see incidents/widgets.py. */
(function () {
  "use strict";
  // The texts come from Django's JavaScript catalog (/i18n/js/, in the widget's media).
  var gettext = window.gettext || function (text) { return text; };
  var IDLIB = [35.8, 36.6];

  function field(name) { return document.getElementById("id_" + name); }

  function setValue(name, value) {
    var input = field(name);
    if (input && value !== undefined && value !== null) { input.value = value; }
  }

  function init(box) {
    var map = TrackerMap.neutral(L.map(box.querySelector(".map-picker-map"), { zoomSnap: 0.25 }));
    var marker = null;
    L.control.scale({ imperial: false }).addTo(map);

    function currentPoint() {
      var lat = parseFloat(field("latitude").value), lon = parseFloat(field("longitude").value);
      return isNaN(lat) || isNaN(lon) ? null : L.latLng(lat, lon);
    }

    function placeMarker(point) {
      if (!marker) {
        marker = L.marker(point, { draggable: true, title: gettext("Incident"), autoPan: true }).addTo(map);
        marker.on("dragend", function () { pick(marker.getLatLng(), true); });
      } else {
        marker.setLatLng(point);
      }
    }

    function fillAdmin(point, fillPlace) {
      var url = box.dataset.placesUrl + "?lat=" + point.lat + "&lon=" + point.lng;
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        var place = data.place || { admin1: "", admin2: "" };
        setValue("admin1", place.admin1);
        setValue("admin2", place.admin2);
        if (fillPlace && data.place && !field("place_name").value) { setValue("place_name", data.place.name); }
        box.dataset.lookups = String(Number(box.dataset.lookups || 0) + 1);
      });
    }

    function pick(point, fillPlace) {
      setValue("latitude", point.lat.toFixed(5));
      setValue("longitude", point.lng.toFixed(5));
      placeMarker(point);
      fillAdmin(point, fillPlace);
    }

    function choose(place) {
      var point = L.latLng(place.latitude, place.longitude);
      setValue("place_name", place.name);
      setValue("latitude", place.latitude);
      setValue("longitude", place.longitude);
      setValue("admin1", place.admin1);
      setValue("admin2", place.admin2);
      placeMarker(point);
      map.setView(point, Math.max(map.getZoom(), 10));
      results.innerHTML = "";
    }

    var search = box.querySelector(".map-picker-search");
    var results = box.querySelector(".map-picker-results");
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (search.value.trim().length < 2) { results.innerHTML = ""; return; }
        fetch(box.dataset.placesUrl + "?q=" + encodeURIComponent(search.value), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            results.innerHTML = "";
            if (!data.places.length) {
              var none = document.createElement("li");
              none.textContent = gettext("No place of that name in the gazetteer.");
              results.appendChild(none);
            }
            data.places.forEach(function (place) {
              var item = document.createElement("li");
              item.tabIndex = 0;
              item.setAttribute("role", "option");
              item.textContent = place.label + " · " + [place.admin2_label, place.admin1_label].filter(Boolean).join(gettext(", "));
              item.addEventListener("click", function () { choose(place); });
              item.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); choose(place); } });
              results.appendChild(item);
            });
          });
      }, 200);
    });
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });

    ["latitude", "longitude"].forEach(function (name) {
      field(name).addEventListener("change", function () {
        var point = currentPoint();
        if (point) { placeMarker(point); map.panTo(point); fillAdmin(point, false); }
      });
    });
    map.on("click", function (e) { pick(e.latlng, true); });

    var start = currentPoint();
    map.setView(start || IDLIB, start ? 10 : 8);  // a view first: markers and layers need one
    if (start) { placeMarker(start); }
    fetch(box.dataset.areasUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (areas) {
      var layer = TrackerMap.drawAreas(map, areas);
      if (!start && areas.features.length) { map.fitBounds(layer.getBounds().pad(0.05)); }
      layer.addTo(map);
      TrackerMap.addLegend(map, layer.legend.concat([{ name: gettext("Incident (drag to move)"), colour: "#2a81cb", fill: "#2a81cb", round: true }]));
      box.dataset.ready = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map-picker").forEach(init);
  });
})();
