/* incident-mapper runtime, part 2: the incident canvas - columns decoded from the payload,
 * every incident drawn from typed arrays on one canvas (no object per incident), and a
 * screen grid to find the incident under the pointer.
 *
 * No call here takes one argument per incident (no spreading a column into a call's
 * argument list): argument lists overflow the stack above about 125,000 items.
 */
(function () {
  "use strict";
  var IM = window.IncidentMapper;
  if (IM.IncidentCanvas) { return; }

  /* Columns shipped as {"$b64": base64 bytes, "dtype": ...} (maps.safety.script_json)
   * become typed arrays, in place, anywhere in the payload's objects. */
  var TYPED = { uint8: Uint8Array, uint16: Uint16Array, int32: Int32Array, float64: Float64Array };
  function bytesOf(b64) {
    if (Uint8Array.fromBase64) { return Uint8Array.fromBase64(b64); }
    var text = atob(b64), out = new Uint8Array(text.length);
    for (var k = 0; k < text.length; k++) { out[k] = text.charCodeAt(k); }
    return out;
  }
  IM.decode = function decode(obj) {
    Object.keys(obj).forEach(function (key) {
      var value = obj[key];
      if (!value || typeof value !== "object" || Array.isArray(value)) { return; }
      if (typeof value.$b64 === "string") {
        obj[key] = new TYPED[value.dtype](bytesOf(value.$b64).buffer);
      } else { decode(value); }
    });
    return obj;
  };

  /* Web Mercator at zoom 0 (Leaflet's EPSG:3857, 256 px world): project once, then a
   * zoom is one multiplication per incident. */
  var MAX_LAT = 85.0511287798, D2R = Math.PI / 180;
  function mercator(lat, lon) {
    var n = lat.length, x = new Float64Array(n), y = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      var s = Math.sin(Math.max(-MAX_LAT, Math.min(MAX_LAT, lat[i])) * D2R);
      x[i] = 128 + lon[i] * 256 / 360;
      y[i] = 128 - 128 / Math.PI * 0.5 * Math.log((1 + s) / (1 - s));
    }
    return { x: x, y: y };
  }

  /* Painting skips what cannot be seen: circles are painted top first (each new one goes
   * under what is there), and a circle is left out when every cell of a coarse screen
   * grid under it is already covered twice (0.8-opaque circles: at most 4% of it would
   * show through). A zoomed-out million paints a few thousand circles, not a million
   * layers of the same pixels; zoomed in, where circles do not cover each other, every
   * circle is painted. */
  var COVER_CELL = 4;  // px
  var HIT_CELL = 32;  // px, the pointer's search grid (>= the largest radius)

  /* Draws d (lat, lon, r, c, colors, outline) for the incidents in `shown` (an Int32Array
   * of indices, in drawing order); `find(point)` is the index under a container point. */
  IM.IncidentCanvas = L.Canvas.extend({
    options: { padding: 0.2 },

    initialize: function (d, options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._d = d;
      this._xy = mercator(d.lat, d.lon);
      this._shown = new Int32Array(0);
      this._px = new Float32Array(d.lat.length);
      this._py = new Float32Array(d.lat.length);
      this._next = new Int32Array(d.lat.length);
    },

    setShown: function (shown) {
      this._shown = shown;
      if (this._map) { this._update(); }
    },

    /* L.Canvas sizes and places the canvas (view + padding), clears it and translates the
     * context to layer points; the incidents are painted at the next animation frame, so
     * the several view changes of one page load (add, fit, resize) cost one paint. */
    _update: function () {
      if (this._map._animatingZoom && this._bounds) { return; }
      L.Canvas.prototype._update.call(this);
      this._requestPaint();
    },

    /* L.Canvas clears the canvas before it draws its paths (none here) on a view reset. */
    _draw: function () {
      L.Canvas.prototype._draw.call(this);
      this._requestPaint();
    },

    _requestPaint: function () {
      if (this._paintRequest) { L.Util.cancelAnimFrame(this._paintRequest); this._paintRequest = null; }
      if (this._printing || (window.matchMedia && window.matchMedia("print").matches)) {
        this._paintForPrint();  // frames of a printed page may get no beforeprint event
        return;
      }
      this._paintRequest = L.Util.requestAnimFrame(function () {
        this._paintRequest = null;
        if (this._map) { this._drawIncidents(); }
      }, this);
    },

    /* Printing runs no animation frame (and lays the page out again, resizing the maps):
     * while it lasts, every update paints at once. */
    onAdd: function (map) {
      L.Canvas.prototype.onAdd.call(this, map);
      this._beforePrint = L.bind(function () {
        this._printing = true;
        this._map.invalidateSize({ animate: false });
        this._update();
      }, this);
      // The screen picture comes back at the next frame, after the printed one is taken.
      this._afterPrint = L.bind(function () {
        this._printing = false;
        L.Util.requestAnimFrame(function () { if (this._map) { this._update(); } }, this);
      }, this);
      window.addEventListener("beforeprint", this._beforePrint);
      window.addEventListener("afterprint", this._afterPrint);
    },

    onRemove: function () {
      if (this._paintRequest) { L.Util.cancelAnimFrame(this._paintRequest); this._paintRequest = null; }
      window.removeEventListener("beforeprint", this._beforePrint);
      window.removeEventListener("afterprint", this._afterPrint);
      L.Canvas.prototype.onRemove.call(this);
    },

    /* Chromium prints a canvas's transparent pixels white, which would hide the map's own
     * canvas (the drawn basemap, other vector layers) under this one: for print, that canvas
     * is copied beneath the incidents. */
    _paintForPrint: function () {
      this._drawIncidents();
      var base = this._map._renderer, bb = base && base._bounds, ctx = this._ctx;
      if (!(base instanceof L.Canvas) || base === this || !base._container || !bb) { return; }
      ctx.save();
      ctx.globalCompositeOperation = "destination-over";
      ctx.drawImage(base._container, bb.min.x, bb.min.y, bb.max.x - bb.min.x, bb.max.y - bb.min.y);
      ctx.restore();
    },

    _drawIncidents: function () {
      var map = this._map, d = this._d, b = this._bounds, shown = this._shown;
      var scale = Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
      var w = b.max.x - b.min.x, h = b.max.y - b.min.y;
      var cols = Math.ceil(w / HIT_CELL) + 1, rows = Math.ceil(h / HIT_CELL) + 1;
      var head = new Int32Array(cols * rows).fill(-1), next = this._next;
      var px = this._px, py = this._py, x = this._xy.x, y = this._xy.y;
      var inView = new Int32Array(shown.length), count = 0;
      for (var k = 0; k < shown.length; k++) {
        var i = shown[k], r = d.r[i];
        var lx = Math.round(x[i] * scale) - origin.x, ly = Math.round(y[i] * scale) - origin.y;
        px[i] = lx; py[i] = ly;
        if (lx + r < b.min.x || lx - r > b.max.x || ly + r < b.min.y || ly - r > b.max.y) { continue; }
        inView[count++] = i;
        var cell = Math.floor((ly - b.min.y) / HIT_CELL) * cols + Math.floor((lx - b.min.x) / HIT_CELL);
        next[i] = head[cell]; head[cell] = i;
      }
      this._hit = { head: head, cols: cols, rows: rows, min: b.min };
      this._paint(inView.subarray(0, count));
    },

    /* The circles of `drawn` (bottom first), painted from the top down (destination-over,
     * which composes as painting bottom-up would), the hidden ones skipped. */
    _paint: function (drawn) {
      var d = this._d, b = this._bounds, ctx = this._ctx, px = this._px, py = this._py;
      var cols = Math.ceil((b.max.x - b.min.x) / COVER_CELL) + 1, rows = Math.ceil((b.max.y - b.min.y) / COVER_CELL) + 1;
      var cover = new Uint8Array(cols * rows);
      function cellRange(lo, hi, limit) {  // whole cells in [lo, hi) as [first, last]
        return [Math.max(0, Math.ceil(lo / COVER_CELL)), Math.min(limit, Math.floor(hi / COVER_CELL)) - 1];
      }
      function hidden(x, y, r) {  // every cell the circle touches covered twice
        for (var cy = Math.floor((y - r) / COVER_CELL); cy <= Math.floor((y + r) / COVER_CELL); cy++) {
          for (var cx = Math.floor((x - r) / COVER_CELL); cx <= Math.floor((x + r) / COVER_CELL); cx++) {
            if (cx < 0 || cy < 0 || cx >= cols || cy >= rows || cover[cy * cols + cx] < 2) { return false; }
          }
        }
        return true;
      }
      function covers(x, y, r) {  // cells wholly inside the circle's inscribed square
        var half = r * Math.SQRT1_2, gx = cellRange(x - half, x + half, cols), gy = cellRange(y - half, y + half, rows);
        for (var cy = gy[0]; cy <= gy[1]; cy++) {
          for (var cx = gx[0]; cx <= gx[1]; cx++) { if (cover[cy * cols + cx] < 2) { cover[cy * cols + cx]++; } }
        }
      }
      ctx.globalAlpha = 0.8;
      ctx.globalCompositeOperation = "destination-over";
      var outline = d.outline, color = -1;
      if (outline) { ctx.strokeStyle = "#222"; ctx.lineWidth = 1; }
      for (var j = drawn.length - 1; j >= 0; j--) {
        var n = drawn[j], x = px[n] - b.min.x, y = py[n] - b.min.y, r = d.r[n];
        if (hidden(x, y, r)) { continue; }
        covers(x, y, r);
        // One path per run of one colour (per circle when outlined, as Leaflet drew them).
        if (d.c[n] !== color || outline) {
          if (color >= 0) { this._finish(ctx, outline); }
          color = d.c[n];
          ctx.fillStyle = d.colors[color];
          ctx.beginPath();
        }
        ctx.moveTo(px[n] + r, py[n]);
        ctx.arc(px[n], py[n], r, 0, Math.PI * 2);
      }
      if (color >= 0) { this._finish(ctx, outline); }
      ctx.globalAlpha = 1;
      ctx.globalCompositeOperation = "source-over";
    },

    /* Painting top down: the outline goes on before the fill under it. */
    _finish: function (ctx, outline) {
      if (outline) { ctx.globalAlpha = 0.9; ctx.stroke(); ctx.globalAlpha = 0.8; }
      ctx.fill();
    },

    /* Index of the incident under a container point (the topmost circle containing it),
     * or -1. */
    find: function (point) {
      var hit = this._hit;
      if (!hit || !this._map) { return -1; }
      var p = this._map.containerPointToLayerPoint(point), d = this._d;
      var cx = Math.floor((p.x - hit.min.x) / HIT_CELL), cy = Math.floor((p.y - hit.min.y) / HIT_CELL);
      var found = -1;
      for (var gy = cy - 1; gy <= cy + 1; gy++) {
        for (var gx = cx - 1; gx <= cx + 1; gx++) {
          if (gx < 0 || gy < 0 || gx >= hit.cols || gy >= hit.rows) { continue; }
          for (var i = hit.head[gy * hit.cols + gx]; i >= 0; i = this._next[i]) {
            var dx = this._px[i] - p.x, dy = this._py[i] - p.y, dist = dx * dx + dy * dy;
            var r = d.r[i] + 1;
            if (dist <= r * r && i > found) { found = i; }
          }
        }
      }
      return found;
    }
  });
})();
