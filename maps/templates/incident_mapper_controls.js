/* incident-mapper runtime, part 3: the controls - collapsible panels, filters, month
 * timeline, search, legend counts and the map-wide layout. Same safety rule as part 1
 * (incident_mapper.js): data reaches the page only through textContent. */
(function () {
  "use strict";
  var IM = window.IncidentMapper;
  if (IM.filters) { return; }
  var el = IM.el, monthLabel = IM.monthLabel;

  /* Panels collapse to their title button on narrow maps (phones, the panes of a narrow
   * comparison), where open they would cover the map; any panel can be collapsed on any
   * screen. On a narrow map opening one panel closes the others. */
  var NARROW_PX = 640;
  function narrow(map) { return map.getContainer().clientWidth < NARROW_PX; }
  function setOpen(box, open) {
    box.classList.toggle("im-collapsed", !open);
    box.querySelector(".im-toggle").setAttribute("aria-expanded", String(open));
  }
  function collapsible(map, box, title) {
    var toggle = el("button", "im-toggle", title);
    toggle.type = "button";
    toggle.title = "Show or hide " + title.toLowerCase();
    var body = el("div", "im-body");
    while (box.firstChild) { body.appendChild(box.firstChild); }
    box.appendChild(toggle);
    box.appendChild(body);
    box.classList.add("im-collapsible");
    map.imPanels = (map.imPanels || []).concat([box]);
    toggle.addEventListener("click", function () {
      var open = box.classList.contains("im-collapsed");
      if (open && narrow(map)) {
        map.imPanels.forEach(function (other) { if (other !== box) { setOpen(other, false); } });
      }
      setOpen(box, open);
    });
    setOpen(box, !narrow(map));
    return body;
  }

  /* A Leaflet control holding a collapsible panel; returns the element to fill. */
  function control(map, position, className, title) {
    var box = el("div", "leaflet-bar im-control " + className);
    var c = L.control({ position: position });
    c.onAdd = function () { return box; };
    c.addTo(map);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return collapsible(map, box, title);
  }

  /* Drop-down filters over coded fields (weapon, target type, owner country). */
  IM.filters = function (ctl, fields, position) {
    var box = control(ctl.map, position, "im-filters", "Filters");
    fields.forEach(function (f) {
      var name = f[0], dict = ctl.data.dicts[name], codes = ctl.data.codes[name];
      if (!dict) { return; }
      var used = {};
      codes.forEach(function (c) { used[c] = true; });
      var label = el("label", null, f[1] + " ");
      var select = el("select");
      select.appendChild(el("option", null, "all"));
      select.options[0].value = "";
      dict.forEach(function (text, code) {
        if (!used[code]) { return; }
        var option = el("option", null, code === 0 ? "(unknown)" : text);
        option.value = String(code);
        select.appendChild(option);
      });
      select.addEventListener("change", function () {
        ctl.setFilter(name, select.value === "" ? null : Number(select.value));
      });
      label.appendChild(select);
      box.appendChild(label);
    });
  };

  /* Month slider: all months, or one month at a time (with play). */
  IM.timeline = function (ctl, position) {
    // A loop, not Math.min.apply: an argument list of 125,000 months overflows the stack.
    var lo = Infinity, hi = -Infinity;
    ctl.month.forEach(function (m) {
      if (m === IM.NO_MONTH) { return; }
      if (m < lo) { lo = m; }
      if (m > hi) { hi = m; }
    });
    if (lo > hi) { return; }
    var box = control(ctl.map, position, "im-timeline", "Timeline");
    var all = el("input"); all.type = "checkbox"; all.checked = true;
    var allLabel = el("label", null, " all months");
    allLabel.insertBefore(all, allLabel.firstChild);
    var slider = el("input"); slider.type = "range"; slider.min = lo; slider.max = hi; slider.value = lo;
    var shown = el("span", "im-month", monthLabel(lo) + " \u2013 " + monthLabel(hi));
    var play = el("button", null, "\u25b6"); play.type = "button"; play.title = "Play by month";
    var timer = null;
    function update() {
      var m = all.checked ? null : Number(slider.value);
      shown.textContent = m === null ? monthLabel(lo) + " \u2013 " + monthLabel(hi) : monthLabel(m);
      ctl.setMonth(m);
    }
    slider.addEventListener("input", function () { all.checked = false; update(); });
    all.addEventListener("change", update);
    play.addEventListener("click", function () {
      if (timer) { clearInterval(timer); timer = null; play.textContent = "\u25b6"; return; }
      all.checked = false; slider.value = lo; update(); play.textContent = "\u275a\u275a";
      timer = setInterval(function () {
        if (Number(slider.value) >= hi) { clearInterval(timer); timer = null; play.textContent = "\u25b6"; return; }
        slider.value = Number(slider.value) + 1; update();
      }, 900);
    });
    [play, slider, shown, allLabel].forEach(function (node) { box.appendChild(node); });
  };

  /* Text folded as incidents.textnorm.fold folds it (the letter table comes from Python,
   * maps.search.fold_table), then punctuation to spaces: "Київ", "Kyïv" -> "kyiv". */
  var APOSTROPHES = /[\u02bc'\u2019`\u2018\u2032\u00b4]/g;
  function fold(text, table) {
    text = String(text);
    // Plain ASCII (most text): the same result with none of the Unicode passes.
    if (/^[\x00-\x7f]*$/.test(text)) { return text.toLowerCase().replace(/['`]/g, "").replace(/[^a-z0-9]+/g, " ").trim(); }
    var lower = String(text).normalize("NFC").toLowerCase().replace(APOSTROPHES, "");
    var out = lower, inWord = false;
    // The table holds Cyrillic letters only: text without any needs no letter-by-letter pass.
    if (/[\u0400-\u04ff]/.test(lower)) {
      out = "";
      for (var k = 0; k < lower.length; k++) {
        var ch = lower[k], mid = table.mid[ch];
        out += mid === undefined ? ch : (inWord ? mid : table.initial[ch]);
        inWord = /[\p{L}\p{N}]/u.test(ch);
      }
    }
    return out.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9\u0400-\u04ff]+/g, " ").trim();
  }
  IM.fold = fold;

  /* Search box over place (every spelling the gazetteer knows), owner and target, among
   * the incidents the filters show; results fly to the incident. */
  var SHOW_RESULTS = 10;
  IM.search = function (ctl, position) {
    var d = ctl.data, box = control(ctl.map, position, "im-search", "Search");
    var input = el("input"); input.type = "search"; input.placeholder = "Place, owner or target";
    var results = el("ul", "im-results");
    box.appendChild(input); box.appendChild(results);
    /* " " + the folded text of each incident: place (with its other spellings), owner,
     * country, target and its kind, joined as fold would join them (coded pieces folded
     * once per distinct value). Built while the page is idle (a million targets take
     * seconds), finished at once if a search comes first. */
    var haystack = new Array(d.id.length), ready = 0, memo = new Map(), places = null;
    function once(text) {
      var done = memo.get(text);
      if (done === undefined) { done = text ? fold(text, d.fold) : ""; memo.set(text, done); }
      return done;
    }
    function prepare(upTo) {
      places = places || d.dicts.place.map(function (p) { return once(p && p + " | " + (d.spellings[p] || "")); });
      for (; ready < Math.min(upTo, haystack.length); ready++) {
        var i = ready, target = d.target[i];
        haystack[i] = " " + [places[d.codes.place[i]], once(ctl.field(d, "owner_company", i)),
          once(ctl.field(d, "owner_country", i)), target ? fold(target, d.fold) : "",
          once(ctl.field(d, "target_type", i))].filter(function (p) { return p; }).join(" ");
      }
    }
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(function () {
      fn({ timeRemaining: function () { return 10; } });
    }, 50); };
    idle(function slice(deadline) {
      while (ready < haystack.length && deadline.timeRemaining() > 2) { prepare(ready + 1000); }
      if (ready < haystack.length) { idle(slice); }
    });
    function run() {
      var q = fold(input.value, d.fold);
      results.textContent = "";
      if (q.length < 2) { return; }
      prepare(haystack.length);
      var found = 0;
      ctl.visible().forEach(function (i) {
        // Match at the start of a word: "kiev" finds Kyiv, "iev" finds nothing.
        if (haystack[i].indexOf(" " + q) < 0) { return; }
        found++;
        if (found > SHOW_RESULTS) { return; }
        var item = el("li");
        var owner = ctl.field(d, "owner_company", i);
        var button = el("button", null, ctl.tooltipText(d, i) + (owner ? " \u00b7 " + owner : ""));
        button.type = "button";
        button.addEventListener("click", function () {
          ctl.map.setView(ctl.latLng(i), Math.max(ctl.map.getZoom(), 9));
          ctl.openPopup(i);
        });
        item.appendChild(button);
        results.appendChild(item);
      });
      if (!found) { results.appendChild(el("li", null, "no match among the incidents shown")); }
      if (found > SHOW_RESULTS) {
        results.appendChild(el("li", "im-more", (found - SHOW_RESULTS) + " more of " + found +
                               ": type more to narrow the search"));
      }
    }
    input.addEventListener("input", run);
    ctl.listeners.push(function () { if (input.value) { run(); } });
  };

  /* Legend counts and "N of M shown" follow the filters and the timeline. */
  function followCounts(ctl, node) {
    var d = ctl.data, shown = node.querySelector(".im-shown");
    function update(visible) {
      var counts = d.colors.map(function () { return 0; });
      visible.forEach(function (i) { counts[d.c[i]]++; });
      Array.prototype.forEach.call(node.querySelectorAll("[data-color]"), function (span) {
        span.textContent = String(counts[Number(span.getAttribute("data-color"))]);
      });
      if (shown) { shown.textContent = visible.length + " of " + d.lat.length + " shown"; }
    }
    ctl.listeners.push(update);
    update(ctl.visible());
  }

  IM.panel = function (map, id, position, title, ctl) {
    var node = document.getElementById(id);
    if (ctl) { followCounts(ctl, node); }
    var c = L.control({ position: position });
    c.onAdd = function () { return node; };
    c.addTo(map);
    L.DomEvent.disableClickPropagation(node);
    L.DomEvent.disableScrollPropagation(node);
    if (title) { collapsible(map, node, title); }
  };

  /* Map-wide layout: the attribution is one line, cut to the room beside the scale bar,
   * that expands on tap; panels re-collapse when the map becomes narrow. */
  IM.layout = function (map) {
    var attribution = map.attributionControl && map.attributionControl.getContainer();
    function fit() {
      var height = map.getContainer().clientHeight;
      (map.imPanels || []).forEach(function (p) { p.style.maxHeight = Math.max(60, Math.round(height * 0.45)) + "px"; });
      if (!attribution) { return; }
      var scale = map._controlCorners.bottomleft.querySelector(".leaflet-control-scale");
      var room = map.getContainer().clientWidth - (scale ? scale.offsetWidth + 10 : 0) - 20;
      attribution.style.maxWidth = Math.max(80, room) + "px";
    }
    if (attribution) {
      attribution.classList.add("im-attribution");
      attribution.title = "Tap to show all credits";
      attribution.addEventListener("click", function (e) {
        if (e.target.tagName !== "A") { attribution.classList.toggle("im-expanded"); }
      });
    }
    var wasNarrow = narrow(map);
    map.on("resize", function () {
      fit();
      var now = narrow(map);
      if (now && !wasNarrow) { (map.imPanels || []).forEach(function (p) { setOpen(p, false); }); }
      wasNarrow = now;
    });
    fit();
  };


})();
