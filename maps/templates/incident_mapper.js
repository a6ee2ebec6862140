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

  var NO_DAY = -2147483648;  // day column: no date (maps.columns.NO_DAY)
  function isoDay(day) { return new Date(day * 86400000).toISOString().slice(0, 10); }
  /* year * 12 + month (0-11) of a day number, by the civil-from-days arithmetic of
   * H. Hinnant's date algorithms: no Date object per incident. */
  function monthOf(day) {
    var z = day + 719468, era = Math.floor(z / 146097), doe = z - era * 146097;
    var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    var doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    var mp = Math.floor((5 * doy + 2) / 153), month = mp < 10 ? mp + 2 : mp - 10;
    return (yoe + era * 400 + (month < 2 ? 1 : 0)) * 12 + month;
  }
  IM.monthLabel = monthLabel;
  function monthLabel(m) { return Math.floor(m / 12) + "-" + ("0" + (m % 12 + 1)).slice(-2); }

  /* Read one incident out of the columnar payload. */
  function field(d, name, i) {
    var codes = d.codes[name];
    return codes ? d.dicts[name][codes[i]] : "";
  }
  function dateText(d, i) {
    if (d.day[i] === NO_DAY) { return ""; }
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
      ["Place", joined([field(d, "place", i), field(d, "oblast_name", i), field(d, "macro_region", i)], ", ")],
      ["Date", dateText(d, i) && dateText(d, i) + (DATE_WORDS[field(d, "date_precision", i)] || "")],
      ["Target", d.target[i] ? d.target[i] + (kind ? " (" + kind + ")" : "") : kind],
      ["Owner", owner],
      ["Foreign-owned", foreign === "yes" ? "yes" : foreign === "no" ? "no (domestic owner)" : ""],
      ["Why this owner", owner ? field(d, "ownership_reason", i) : ""],
      ["Sector", field(d, "sector", i)],
      ["Weapon", field(d, "weapon", i)],
      ["Killed", field(d, "killed", i)],
      ["Injured", field(d, "injured", i)],
      ["Location", field(d, "location_precision", i)],
      ["Satellite fire detections", d.fire ? d.fire[i] : ""],
      ["ID", d.id[i]]
    ].concat(d.extra.names.map(function (name, k) { return [name, d.extra.values[k][i]]; }));
  }

  function incidentNode(d, i) {
    var box = el("div", "im-incident");
    box.appendChild(el("div", "im-title", d.target[i] || field(d, "place", i) || d.id[i]));
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
    var urls = [];
    for (var k = d.src_start[i]; k < d.src_start[i + 1]; k++) { urls.push(d.dicts.sources[d.src[k]]); }
    if (urls.length) {
      box.appendChild(el("div", "im-sources-title", urls.length > 1 ? "Sources" : "Source"));
      var list = el("ol", "im-sources");
      urls.forEach(function (url) { var li = el("li"); li.appendChild(link(url)); list.appendChild(li); });
      box.appendChild(list);
    }
    return box;
  }

  function tooltipText(d, i) {
    return [dateText(d, i), field(d, "place", i), d.target[i] || field(d, "target_type", i)]
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

  /* The incident layer: every incident on one canvas (IM.IncidentCanvas, in its own pane
   * above the polygons and transparent to the pointer: clicks and hovers are found in the
   * canvas's screen grid), filters and timeline over it. */
  var PANE = "incidentMapperIncidents";
  IM.NO_MONTH = -1;
  IM.incidents = function (group, map, d, opts) {
    IM.decode(d);
    var n = d.lat.length, month = new Int32Array(n);
    var filters = {}, shownMonth = null, visible = new Int32Array(0);
    for (var i = 0; i < n; i++) { month[i] = d.day[i] === NO_DAY ? IM.NO_MONTH : monthOf(d.day[i]); }
    if (!map.getPane(PANE)) {
      var pane = map.createPane(PANE);
      pane.style.zIndex = 420;  // above the polygons' canvas (400), below the heat map (450)
      pane.style.pointerEvents = "none";
    }
    var canvas = new IM.IncidentCanvas(d, { pane: PANE });
    group.addLayer(canvas);
    function redraw() {
      var active = [];
      for (var name in filters) {
        if (filters[name] !== null) { active.push([d.codes[name], filters[name]]); }
      }
      var kept = new Int32Array(n), count = 0;
      for (var i = 0; i < n; i++) {
        var pass = shownMonth === null || month[i] === shownMonth;
        for (var f = 0; pass && f < active.length; f++) { pass = active[f][0][i] === active[f][1]; }
        if (pass) { kept[count++] = i; }
      }
      visible = kept.subarray(0, count);
      canvas.setShown(visible);
      map.getContainer().setAttribute("data-incidents-rendered", String(count));
      ctl.listeners.forEach(function (listener) { listener(visible); });
    }
    function latLng(i) { return L.latLng(d.lat[i], d.lon[i]); }
    function openPopup(i, latlng) {
      // Several incidents can share one spot (settlement centroids): list all of them.
      var here = Array.prototype.filter.call(visible, function (j) { return d.lat[j] === d.lat[i] && d.lon[j] === d.lon[i]; });
      if (here.indexOf(i) < 0) { here.unshift(i); }
      var box = el("div", "im-popup");
      if (here.length > 1) { box.appendChild(el("div", "im-count", here.length + " incidents at this location")); }
      here.forEach(function (j) { box.appendChild(incidentNode(d, j)); });
      var clear = clearArea(map);
      L.popup({ maxWidth: 360, maxHeight: Math.max(120, Math.min(320, clear.height - 60)),
                autoPanPaddingTopLeft: clear.topLeft, autoPanPaddingBottomRight: clear.bottomRight })
        .setLatLng(latlng || latLng(i)).setContent(box).openOn(map);
    }
    var tooltip = L.tooltip({ direction: "top", offset: [0, -4] }), hovered = -1, pending = null;
    function under(e) { return map.hasLayer(canvas) ? canvas.find(e.containerPoint) : -1; }
    map.on("click", function (e) {
      var i = under(e);
      if (i >= 0) { openPopup(i, latLng(i)); }
    });
    function hover(e) {
      var i = under(e);
      map.getContainer().style.cursor = i >= 0 ? "pointer" : "";
      if (i === hovered) { return; }
      hovered = i;
      if (i < 0) { map.closeTooltip(tooltip); return; }
      tooltip.setLatLng(latLng(i)).setContent(el("span", "im-value", tooltipText(d, i)));
      map.openTooltip(tooltip);
    }
    // One search per animation frame, however fast the pointer moves.
    map.on("mousemove", function (e) {
      if (!pending) { requestAnimationFrame(function () { hover(pending); pending = null; }); }
      pending = e;
    });
    map.on("mouseout", function () { hovered = -1; map.closeTooltip(tooltip); });

    var ctl = {
      data: d, map: map, group: group, month: month, listeners: [],
      visible: function () { return visible.slice(); },
      latLng: latLng, radius: function (i) { return d.r[i]; },
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
