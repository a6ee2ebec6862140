/* incident-mapper runtime: incident layer, popups, filters, timeline, search, polygons.
 *
 * Safety rule for this file: data strings are only ever put on the page with
 * textContent / createTextNode (never innerHTML), and links only get an href when they
 * are absolute http(s) URLs.
 */
(function () {
  "use strict";
  if (window.IncidentMapper) { return; }
  var IM = window.IncidentMapper = { layers: [] };
  var HTTP_URL = /^https?:\/\/[^\s\/?#]+\S*$/i;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  IM.el = el;

  function link(url) {
    if (!HTTP_URL.test(url)) { return el("span", "im-value", url); }
    var a = el("a", "im-value", url);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function isoDay(day) { return new Date(day * 86400000).toISOString().slice(0, 10); }
  function monthOf(day) { var d = new Date(day * 86400000); return d.getUTCFullYear() * 12 + d.getUTCMonth(); }
  IM.monthLabel = monthLabel;
  function monthLabel(m) { return Math.floor(m / 12) + "-" + ("0" + (m % 12 + 1)).slice(-2); }

  /* Read one incident out of the columnar payload. */
  function field(d, name, i) {
    var codes = d.codes[name];
    return codes ? d.dicts[name][codes[i]] : "";
  }
  function dateText(d, i) {
    if (d.day[i] === null) { return ""; }
    var cut = { month: 7, year: 4 }[field(d, "date_precision", i)] || 10;
    var text = isoDay(d.day[i]).slice(0, cut);
    if (d.dur[i]) { text += " \u2013 " + isoDay(d.day[i] + d.dur[i]).slice(0, cut); }
    return text;
  }

  /* What a date's precision leaves unknown, in words (a day-precise date needs none). */
  var DATE_WORDS = { week: " (that week; day unknown)", month: " (month only)", year: " (year only)" };
  function joined(parts, sep) { return parts.filter(function (p) { return p; }).join(sep); }

  /* The popup in words: [label, text] rows, empty ones left out by incidentNode. */
  function popupRows(d, i) {
    var country = field(d, "owner_country", i), foreign = field(d, "foreign_owned", i);
    var owner = joined([field(d, "owner_company", i), country && (field(d, "owner_company", i) ? "(" + country + ")" : country)], " ");
    var kind = field(d, "target_type", i);
    return [
      ["Place", joined([d.place[i], field(d, "oblast_name", i), field(d, "macro_region", i)], ", ")],
      ["Date", dateText(d, i) && dateText(d, i) + (DATE_WORDS[field(d, "date_precision", i)] || "")],
      ["Target", d.target[i] ? d.target[i] + (kind ? " (" + kind + ")" : "") : kind],
      ["Owner", owner],
      ["Foreign-owned", foreign === "yes" ? "yes" : foreign === "no" ? "no (domestic owner)" : ""],
      ["Why this owner", owner ? field(d, "ownership_reason", i) : ""],
      ["Sector", field(d, "sector", i)],
      ["Weapon", field(d, "weapon", i)],
      ["Killed", d.killed[i]],
      ["Injured", d.injured[i]],
      ["Location", field(d, "location_precision", i)],
      ["Satellite fire detections", d.fire ? d.fire[i] : ""],
      ["ID", d.id[i]]
    ].concat(d.extra.names.map(function (name, k) { return [name, d.extra.values[k][i]]; }));
  }

  function incidentNode(d, i) {
    var box = el("div", "im-incident");
    box.appendChild(el("div", "im-title", d.target[i] || d.place[i] || d.id[i]));
    var table = el("table", "im-fields");
    popupRows(d, i).forEach(function (row) {
      if (row[1] === "" || row[1] === null || row[1] === undefined) { return; }
      var tr = el("tr");
      tr.appendChild(el("th", null, row[0]));
      var td = el("td");
      td.appendChild(el("span", "im-value", row[1]));
      tr.appendChild(td);
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (d.notes[i]) { box.appendChild(el("div", "im-notes im-value", d.notes[i])); }
    var urls = d.src[i].map(function (k) { return d.dicts.sources[k]; });
    if (urls.length) {
      box.appendChild(el("div", "im-sources-title", urls.length > 1 ? "Sources" : "Source"));
      var list = el("ol", "im-sources");
      urls.forEach(function (url) { var li = el("li"); li.appendChild(link(url)); list.appendChild(li); });
      box.appendChild(list);
    }
    return box;
  }

  function tooltipText(d, i) {
    return [dateText(d, i), d.place[i], d.target[i] || field(d, "target_type", i)]
      .filter(function (s) { return s; }).join(" \u00b7 ");
  }

  /* The part of the map no control covers (top and bottom bands taken by the corners'
   * controls), as autopan padding: a popup opened there is not hidden under a panel. */
  function clearArea(map) {
    var box = map.getContainer().getBoundingClientRect();
    function band(corner, fromTop) {
      var node = map._controlCorners[corner], extent = 0;
      if (!node) { return 0; }
      Array.prototype.forEach.call(node.children, function (c) {
        var r = c.getBoundingClientRect();
        if (!r.width || !r.height) { return; }
        extent = Math.max(extent, fromTop ? r.bottom - box.top : box.bottom - r.top);
      });
      return extent;
    }
    var top = Math.max(band("topleft", true), band("topright", true)) + 8;
    var bottom = Math.max(band("bottomleft", false), band("bottomright", false)) + 8;
    return { topLeft: [8, top], bottomRight: [8, bottom], height: box.height - top - bottom };
  }

  /* The incident layer: one canvas circle per incident, filters and timeline over it. */
  IM.incidents = function (group, map, d, opts) {
    var n = d.lat.length, markers = new Array(n), month = new Array(n);
    var filters = {}, shownMonth = null, visible = [];
    var outline = d.outline ? { color: "#222", weight: 1, opacity: 0.9 } : { stroke: false };
    for (var i = 0; i < n; i++) {
      month[i] = d.day[i] === null ? null : monthOf(d.day[i]);
      markers[i] = L.circleMarker([d.lat[i], d.lon[i]], L.extend({
        radius: d.r[i], fillColor: d.colors[d.c[i]], fillOpacity: 0.8
      }, outline));
      markers[i].imIndex = i;
    }
    function passes(i) {
      for (var name in filters) {
        if (filters[name] !== null && d.codes[name][i] !== filters[name]) { return false; }
      }
      return shownMonth === null || month[i] === shownMonth;
    }
    function redraw() {
      var onMap = map.hasLayer(group);
      // Rebuild off the map so the canvas redraws once, not once per circle.
      if (onMap) { map.removeLayer(group); }
      group.clearLayers();
      visible = [];
      for (var i = 0; i < n; i++) {
        if (passes(i)) { visible.push(i); group.addLayer(markers[i]); }
      }
      if (onMap) { map.addLayer(group); }
      map.getContainer().setAttribute("data-incidents-rendered", String(visible.length));
      ctl.listeners.forEach(function (listener) { listener(visible); });
    }
    function openPopup(i, latlng) {
      // Several incidents can share one spot (settlement centroids): list all of them.
      var here = visible.filter(function (j) { return d.lat[j] === d.lat[i] && d.lon[j] === d.lon[i]; });
      if (here.indexOf(i) < 0) { here.unshift(i); }
      var box = el("div", "im-popup");
      if (here.length > 1) { box.appendChild(el("div", "im-count", here.length + " incidents at this location")); }
      here.forEach(function (j) { box.appendChild(incidentNode(d, j)); });
      var clear = clearArea(map);
      L.popup({ maxWidth: 360, maxHeight: Math.max(120, Math.min(320, clear.height - 60)),
                autoPanPaddingTopLeft: clear.topLeft, autoPanPaddingBottomRight: clear.bottomRight })
        .setLatLng(latlng || markers[i].getLatLng()).setContent(box).openOn(map);
    }
    var tooltip = L.tooltip({ direction: "top", offset: [0, -4] });
    group.on("click", function (e) { openPopup(e.layer.imIndex, e.layer.getLatLng()); });
    group.on("mouseover", function (e) {
      tooltip.setLatLng(e.layer.getLatLng()).setContent(el("span", "im-value", tooltipText(d, e.layer.imIndex)));
      map.openTooltip(tooltip);
    });
    group.on("mouseout", function () { map.closeTooltip(tooltip); });
    // All vectors share the map's canvas: keep incidents drawn (and clickable) on top.
    map.on("overlayadd baselayerchange", function () {
      if (map.hasLayer(group)) { group.bringToFront(); }
    });

    var ctl = {
      data: d, map: map, group: group, markers: markers, month: month, listeners: [],
      visible: function () { return visible.slice(); },
      setFilter: function (name, code) { filters[name] = code; redraw(); },
      setMonth: function (m) { shownMonth = m; redraw(); },
      openPopup: openPopup, field: field, tooltipText: tooltipText
    };
    group.controller = ctl;
    IM.layers.push(ctl);
    redraw();
    return ctl;
  };

  /* Polygons from a GeoJSON FeatureCollection; properties.label is shown as a tooltip. */
  IM.polygons = function (group, geojson, style, labelsPermanent) {
    L.geoJSON(geojson, {
      // Only hover labels need pointer events; everything else lets clicks through.
      interactive: geojson.features.some(function (f) { return f.properties.label; }) && !labelsPermanent,
      style: function (f) { return L.extend({}, style, f.properties.style || {}); },
      onEachFeature: function (f, layer) {
        if (!f.properties.label) { return; }
        layer.bindTooltip(el("span", "im-value", f.properties.label), {
          permanent: !!labelsPermanent, direction: "center",
          className: labelsPermanent ? "im-region-label" : ""
        });
      }
    }).eachLayer(function (layer) { group.addLayer(layer); });
  };

  /* The drawn basemap (boundaries, neighbours, centre names): shown until a tile of the
   * current tile layer loads, so a map with no network, or on the "no tiles" choice, can
   * still be read. Drawn at the back of the map's canvas, not in a pane under the tiles:
   * Chromium prints a canvas's transparent pixels white, hiding any pane under it. */
  IM.fallbackBasemap = function (map, data) {
    var group = L.featureGroup();
    L.geoJSON(data.polygons, {
      interactive: false,
      style: function (f) { return f.properties.style; }
    }).eachLayer(function (layer) { group.addLayer(layer); });
    data.centres.forEach(function (c) {
      group.addLayer(L.marker([c.lat, c.lon], {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: "im-centre-label", html: el("span", null, c.name), iconSize: null })
      }));
    });
    function show() { if (!map.hasLayer(group)) { group.addTo(map); group.bringToBack(); } }
    function hide() { if (map.hasLayer(group)) { map.removeLayer(group); } }
    function watch(layer) {
      if (!(layer instanceof L.TileLayer) || layer.imWatched) { return; }
      layer.imWatched = true;
      layer.on("tileload", function () { if (map.hasLayer(layer)) { hide(); } });
    }
    map.eachLayer(watch);
    map.on("layeradd", function (e) { watch(e.layer); });
    map.on("baselayerchange", function (e) {
      var loaded = e.layer instanceof L.TileLayer &&
        e.layer.getContainer() && e.layer.getContainer().querySelector(".leaflet-tile-loaded");
      if (loaded) { hide(); } else { show(); }
    });
    map.getContainer().classList.add("im-has-fallback");
    show();
  };

  /* Fit views now if the maps have a size, and again whenever their size changes, until
   * the user touches one of them. An embedded map (srcdoc iframe on a heavy page) often
   * runs this while its frame is still 0x0 or 300x150: a fit then shows the whole world
   * (or too much), and Leaflet never fits again by itself. */
  function fitWhenSized(maps, fit) {
    var touched = false;
    function sized() {
      return maps.every(function (m) {
        var box = m.getContainer();
        return box.clientWidth > 0 && box.clientHeight > 0;
      });
    }
    function resized() {
      if (!sized()) { return; }
      maps.forEach(function (m) { m.invalidateSize(); });  // keeps each centre
      if (!touched) { fit(); }
    }
    if (sized()) { fit(); }
    // Printing lays out frames Chromium never laid out on screen (a report's maps below
    // the fold get no ResizeObserver call before the page is printed).
    window.addEventListener("beforeprint", resized);
    if (typeof ResizeObserver === "undefined") { return; }
    var observer = new ResizeObserver(resized);
    maps.forEach(function (m) {
      var box = m.getContainer();
      observer.observe(box);
      // Any pointer, wheel or key input means the user takes over the view (capture
      // phase: controls stop these events from bubbling up to the map).
      ["pointerdown", "wheel", "keydown"].forEach(function (type) {
        box.addEventListener(type, function () { touched = true; observer.disconnect(); },
                             { capture: true, passive: true });
      });
    });
  }

  /* fitBounds that waits for the map's real size (see fitWhenSized). */
  IM.fitBounds = function (map, bounds) {
    fitWhenSized([map], function () {
      map.fitBounds(bounds, { animate: false });
    });
  };

  /* Side-by-side maps: same zoom, each centred on its own group, panned together. */
  IM.syncPair = function (m1, b1, m2, b2) {
    var c1 = b1.getCenter(), c2 = b2.getCenter();
    var dLat = c2.lat - c1.lat, dLng = c2.lng - c1.lng;
    m1.sync(m2, { offsetFn: function (c) { return L.latLng(c.lat + dLat, c.lng + dLng); } });
    m2.sync(m1, { offsetFn: function (c) { return L.latLng(c.lat - dLat, c.lng - dLng); } });
    fitWhenSized([m1, m2], function () {
      var z = Math.min(m1.getBoundsZoom(b1, false, [20, 20]), m2.getBoundsZoom(b2, false, [20, 20]));
      // reset, as Leaflet.Sync does itself: a panning setView goes through Sync's panBy,
      // which moves the other map a second time.
      m1.setView(c1, z, { animate: false, reset: true });
      m2.setView(c2, z, { animate: false, reset: true });
    });
  };
})();
