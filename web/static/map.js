/* Draw a wijkgram map from the JSON in #map-data (written by web/maps.py).
 *
 * Every text from the directory (names, costs, schedules, area names) is set
 * with textContent or passed to Leaflet as a DOM node, never as HTML. The one
 * Leaflet API that only takes HTML, the layer control's names, gets them
 * through escapeHtml. Links are only followed when they are paths on this site.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("map-data").textContent);
  // The URL of a first view drawn by the server: zoom, centre x and y, width x height (web/maps.py).
  var VIEW_URL = /\/tiles\/base-view\/(\d+)\/(\d+)\/(\d+)\/(\d+)x(\d+)\.svg/;

  // What is not part of the base map's first frame (the places and the outlines: their requests,
  // drawing them, the page's list) starts when that frame is drawn. Before, the places answer (the
  // heaviest request of a view, made in Python) was computed while MapLibre's worker waited for
  // the base tiles from the same server, and their markers were drawn on the main thread that
  // turns the decoded tiles into pixels; measured in bench/map_paint.py, docs/web.md.
  var afterPaint = [];
  function whenPainted(job) {
    if (afterPaint === null) { job(); } else { afterPaint.push(job); }
  }
  function releasePainted() {
    if (afterPaint === null) { return; }
    var jobs = afterPaint;
    afterPaint = null;
    jobs.forEach(function (job) { job(); });
  }
  // Never longer than this (a base map that fails, or tiles that do not come): then the places go first.
  var PAINT_WAIT_MS = 2500;

  // Start MapLibre's worker now (it evaluates the whole bundle again, about 100 ms): it is then
  // ready by the time the map below asks it for the first tiles.
  if (data.base.kind === "vector" && window.maplibregl && maplibregl.prewarm) { maplibregl.prewarm(); }

  function textNode(tag, value, className) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    element.textContent = value === null || value === undefined ? "" : String(value);
    return element;
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"'`]/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }

  function isSitePath(href) {
    // "/entries/location/…", never "//other.host", "javascript:" or "http:".
    return typeof href === "string" && /^\/(?![\/\\])/.test(href);
  }

  function popupNode(popup) {
    var box = document.createElement("div");
    box.className = "popup";
    box.appendChild(textNode("h3", popup.title));
    if (popup.rows && popup.rows.length) {
      var list = document.createElement("dl");
      popup.rows.forEach(function (row) {
        list.appendChild(textNode("dt", row[0]));
        list.appendChild(textNode("dd", row[1]));
      });
      box.appendChild(list);
    }
    if (isSitePath(popup.link)) {
      var link = textNode("a", popup.link_text);
      link.setAttribute("href", popup.link);
      link.setAttribute("target", "_top");
      box.appendChild(link);
    }
    return box;
  }

  var box = document.getElementById("map");
  if (box.clientWidth > 0 && box.clientHeight > 0) {
    draw();
  } else {
    // A sandboxed frame may run in a process of its own that learns its size a moment later; a map
    // built at 0 x 0 fits its bounds wrongly and shows no markers. Wait until the frame has a size.
    var observer = new ResizeObserver(function () {
      if (box.clientWidth > 0 && box.clientHeight > 0) { observer.disconnect(); draw(); }
    });
    observer.observe(box);
  }

  // "/tiles/base/{z}/{x}/{y}.mvt" -> "http://this.site/tiles/...": MapLibre's worker needs whole URLs,
  // and URL() would escape the braces. The frame's own origin is opaque; its base URL is the page's.
  function onThisSite(url) {
    if (!/^\/(?![\/\\])/.test(url)) { return url; }
    var origin = /^https?:\/\/[^\/]+/i.exec(document.baseURI);
    return origin ? origin[0] + url : url;
  }

  // The base map under everything: wijkgram's own vector tiles drawn by MapLibre GL JS
  // (web/basemap.py), or raster tiles when WIJKGRAM_TILE_URL names some. Without WebGL the
  // map keeps its places and outlines on a plain background.
  function now() { return performance.timeOrigin + performance.now(); }

  // The first view drawn by the server (web/maps.py first_view): a picture that the browser painted
  // before any script ran. It is kept only when it shows exactly the view Leaflet opened with and
  // covers the frame; then it moves into a pane of its own over MapLibre's canvas (whose first frames
  // show the land colour before the tiles) and under the outlines and places, and goes in the frame
  // where MapLibre's first complete frame is drawn (see addBase), or as soon as the map moves.
  function keepFirstView(map) {
    var picture = box.querySelector(".first-view");
    var image = picture && picture.querySelector("img");
    if (!image) { return null; }
    // The frame's document starts at 300 x 150, for which no picture is chosen; the browser picks
    // one once the frame has its size, so the picture may still be on its way: check it when it comes.
    function check() {
      if (!picture.parentNode) { return; }
      var match = VIEW_URL.exec(image.currentSrc || "");
      var size = map.getSize();
      var origin = map.getPixelOrigin();
      if (match && Number(match[1]) === map.getZoom()) {
        var width = Number(match[4]), height = Number(match[5]);
        var left = Number(match[2]) - width / 2 - origin.x;
        var top = Number(match[3]) - height / 2 - origin.y;
        if (left <= 0 && top <= 0 && left + width >= size.x && top + height >= size.y) {
          picture.style.left = left + "px";
          picture.style.top = top + "px";
          picture.classList.add("placed");
          // A pane's coordinates are the container's until the map first moves, and it moves then.
          var pane = map.getPane("firstView") || map.createPane("firstView");
          pane.style.zIndex = 250;  // over the tile pane (200), under the overlays (400)
          pane.appendChild(picture);
          return;
        }
      }
      picture.remove();  // not this view: better nothing than a wrong map
    }
    if (image.complete && image.currentSrc) { check(); } else {
      image.addEventListener("load", check);
      image.addEventListener("error", function () { picture.remove(); });
    }
    return picture;
  }

  function addBase(map, base, picture) {
    var state = { kind: base.kind, loaded: false, painted: false, error: null, layer: null, timings: {} };
    // The canvas is not hidden under the picture: a WebGL canvas made visible only at its first
    // complete frame cost the frame 1-2 s more before the places were drawn (software WebGL).
    function reveal() {
      if (picture) { picture.remove(); picture = null; state.firstView = false; }
    }
    state.firstView = !!picture;
    if (base.kind === "vector" && L.maplibreGL && window.maplibregl && maplibregl.supported !== false) {
      var style = JSON.parse(JSON.stringify(base.style));
      Object.keys(style.sources).forEach(function (name) {
        var source = style.sources[name];
        if (source.tiles) { source.tiles = source.tiles.map(onThisSite); }
      });
      try {
        // No fade-in of names: they are drawn in the first frame (and the map is idle 300 ms sooner).
        state.layer = L.maplibreGL({ style: style, attribution: base.attribution, interactive: false, fadeDuration: 0 });
        state.layer.addTo(map);
        var gl = state.layer.getMaplibreMap();
        if (picture) { map.once("movestart zoomstart resize", reveal); }
        // First paint: the first frame MapLibre draws with every tile of the view loaded (names may
        // still fade in); `loaded` (idle) comes when nothing is left to draw. Times are absolute
        // (timeOrigin + now) so a page can compare them with its own navigation.
        state.timings = { created: now() };
        gl.once("load", function () { state.timings.style = now(); });
        var tiles = 0;
        gl.on("sourcedata", function (event) {
          if (event.tile) {
            tiles += 1;
            if (!state.timings.tile) { state.timings.tile = now(); }
          }
        });
        gl.on("render", function () {
          if (!state.painted && tiles > 0 && gl.isStyleLoaded() && gl.areTilesLoaded()) {
            state.painted = true;
            state.timings.painted = now();
            reveal();
            releasePainted();
          }
        });
        gl.on("idle", function () {
          state.loaded = true;
          if (!state.timings.idle) { state.timings.idle = now(); }
        });
        gl.on("error", function (event) { state.error = String(event && event.error); reveal(); releasePainted(); });
        setTimeout(releasePainted, PAINT_WAIT_MS);
        // A map below the fold (a phone: the filters come first) is not drawn until it is scrolled to
        // (Chromium paints no off-screen cross-origin frame): then nothing waits for its first frame,
        // and the page's list of places, which people read too, fills at once.
        if (window.IntersectionObserver) {
          var seen = new IntersectionObserver(function (entries) {
            seen.disconnect();
            if (!entries[entries.length - 1].isIntersecting) { releasePainted(); }
          });
          seen.observe(map.getContainer());
        }
      } catch (error) {
        state.error = String(error);
        reveal();
      }
    } else if (base.kind === "raster") {
      reveal();
      state.layer = L.tileLayer(base.url, { attribution: base.attribution, maxZoom: base.maxZoom }).addTo(map);
      state.layer.on("load", function () { state.loaded = true; });
    }
    // The OpenStreetMap line on every map (ODbL); the MapLibre layer does not hand it to Leaflet.
    if (!state.layer || base.kind === "vector") { map.attributionControl.addAttribution(base.attribution); }
    // Only a MapLibre base map says when its first frame is drawn; anything else draws at once.
    if (!state.timings.created || state.error) { releasePainted(); }
    return state;
  }

  function draw() {
    // markercluster needs a highest zoom; 19 is where OpenStreetMap data stops adding detail.
    var map = L.map(box, { maxZoom: 19 });
    // The first view is set once, before anything draws: a map made at the centre and then fitted
    // to its places animates the zoom and loads the base tiles twice (the first set for nothing).
    if (data.bounds) {
      map.fitBounds(data.bounds, { padding: data.padding, animate: false });
    } else {
      map.setView(data.centre, data.zoom, { animate: false });
    }
    L.control.scale({ imperial: false }).addTo(map);
    var base = addBase(map, data.base, keepFirstView(map));

    var overlays = {};
    var markers = [];
    var clusters = [];

    function addOutlines(spec) {
      var group = L.geoJSON(spec.features || null, {
        style: function () { return spec.style; },
        smoothFactor: 1.0,
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(textNode("span", feature.properties.label), { sticky: true });
          layer.on("mouseover", function () { layer.setStyle({ weight: spec.style.weight + 2 }); });
          layer.on("mouseout", function () { group.resetStyle(layer); });
        }
      });
      if (spec.url && !spec.features) {
        // Fetched the first time the layer is shown: a map that never shows buurten never loads them.
        var fetched = false;
        var fetchOnce = function () {
          if (fetched) { return; }
          fetched = true;
          fetch(onThisSite(spec.url), { credentials: "omit" })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (collection) { if (collection) { group.addData(collection); } });
        };
        // The stadsdelen shown at first are asked for after the base map's first frame.
        group.on("add", function () { whenPainted(fetchOnce); });
      }
      if (spec.show) { group.addTo(map); }
      overlays[escapeHtml(spec.name)] = group;
    }

    function addArea(spec) {
      var area = L.geoJSON(spec.geometry, { style: function () { return spec.style; }, interactive: false });
      area.addTo(map);
      overlays[escapeHtml(spec.name)] = area;
    }

    function addMarkers(spec) {
      var group = spec.cluster ? L.markerClusterGroup() : L.layerGroup();
      spec.markers.forEach(function (m) {
        var marker = L.marker([m.lat, m.lon]);
        if (m.tooltip !== null && m.tooltip !== undefined) {
          marker.bindTooltip(textNode("span", m.tooltip), { permanent: !!m.permanent });
        }
        if (m.popup) { marker.bindPopup(popupNode(m.popup), { maxWidth: 320 }); }
        group.addLayer(marker);
        markers.push(marker);
      });
      group.addTo(map);
      if (spec.cluster) { overlays[escapeHtml(spec.name)] = group; clusters.push(group); }
    }

    function addStarts(spec) {
      spec.points.forEach(function (p) {
        L.circleMarker([p.lat, p.lon], spec.style)
          .bindTooltip(textNode("span", p.label), { permanent: true, direction: p.direction })
          .addTo(map);
      });
    }

    // Places loaded per view (the plain scouting map): each place, or one circle per grid cell
    // with its count when the view holds too many. A newer view cancels the older request.
    var places = { loads: 0, loaded: null, request: null };
    function addPlaces(spec) {
      var group = L.markerClusterGroup();
      var cells = L.layerGroup();
      group.addTo(map);
      cells.addTo(map);
      overlays[escapeHtml(spec.name)] = group;
      clusters.push(group);
      var pending = null;

      function query() {
        var params = new URLSearchParams();
        params.set("bbox", map.getBounds().toBBoxString());
        params.set("zoom", String(map.getZoom()));
        Object.keys(spec.params).forEach(function (key) {
          var value = spec.params[key];
          (Array.isArray(value) ? value : [value]).forEach(function (v) { params.append(key, String(v)); });
        });
        return spec.url + "?" + params.toString();
      }

      function drawCell(cell) {
        var label = textNode("span", cell.count);
        var size = cell.count < 100 ? 34 : cell.count < 1000 ? 42 : 50;
        var icon = L.divIcon({ html: label, className: "cell-cluster", iconSize: [size, size] });
        var spot = L.marker([cell.lat, cell.lon], { icon: icon, keyboard: true, title: String(cell.count) });
        spot.on("click", function () {
          var b = cell.bounds;
          map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
        });
        cells.addLayer(spot);
      }

      function drawPlace(place) {
        var marker = L.marker([place.lat, place.lon]);
        marker.bindTooltip(textNode("span", place.name));
        marker.bindPopup(popupNode(place.popup), { maxWidth: 320 });
        group.addLayer(marker);
        return marker;
      }

      // Markers stay across answers while their place is still in view: a popup's own pan or a
      // zoom to a clustered marker asks for the view anew, and redrawing every marker then
      // closed the popup the user had just opened.
      var shown = {};
      function showPlaces(list) {
        var next = {};
        list.forEach(function (place) {
          var key = String(place.id);
          next[key] = shown[key] || drawPlace(place);
          delete shown[key];
        });
        Object.keys(shown).forEach(function (key) { group.removeLayer(shown[key]); });
        shown = next;
        markers.length = 0;
        Object.keys(shown).forEach(function (key) { markers.push(shown[key]); });
      }

      // Every place of a box that came one by one: zooming or panning inside it needs no new request.
      var complete = null;

      // One request at a time: a newer view aborts the older one.
      function ask(then) {
        if (pending) { pending.abort(); }
        pending = new AbortController();
        fetch(query(), { credentials: "omit", signal: pending.signal })
          .then(function (response) {
            if (!response.ok) { throw new Error("places: " + response.status); }
            return response.json();
          })
          .then(then)
          .catch(function (error) {
            if (error.name !== "AbortError") { places.error = String(error); }
          });
      }

      function load() {
        var view = map.getBounds();
        if (complete && complete.contains(view)) {
          // Every place here came already: the page's list shows those in the new view.
          var seen = places.loaded.places.filter(function (p) { return view.contains([p.lat, p.lon]); });
          var here = { total: seen.length, clustered: false, places: seen, area_services: [] };
          if (!places.loaded.area_services_total) { tellPage(here); return; }
          // Services without a venue are asked per view (their areas are not points to filter);
          // the markers stay as they are.
          ask(function (answer) {
            here.area_services = answer.area_services;
            tellPage(here);
          });
          return;
        }
        ask(function (answer) {
          cells.clearLayers();
          showPlaces(answer.places);
          answer.clusters.forEach(drawCell);
          complete = answer.clustered ? null : view;
          places.loads += 1;
          places.loaded = answer;
          if (!places.drawn) { places.drawn = now(); }
          tellPage(answer);
        });
      }
      // Started once the first view is set (after fitBounds below): a load for the default view
      // first would answer, and be listed, before the real first view's answer.
      places.start = function () { map.on("moveend", load); load(); };
      places.reload = load;
    }

    // The page around the frame lists the loaded places (web/static/kaart.js); it checks that the
    // message comes from this frame. Only plain data crosses: names and popup rows as text.
    function tellPage(answer) {
      if (!window.parent || window.parent === window) { return; }
      window.parent.postMessage({
        type: "wijkgram-places",
        total: answer.total,
        clustered: answer.clustered,
        places: answer.places.map(function (p) {
          return { id: p.id, name: p.name, link: p.popup.link, rows: p.popup.rows };
        }),
        areaServices: (answer.area_services || []).map(function (a) {
          return { name: a.name, link: a.url, area: a.area_name, category: a.category_label };
        })
      }, "*");
    }

    var drawers = {
      outlines: addOutlines, area: addArea, markers: addMarkers, starts: addStarts, places: addPlaces
    };
    data.layers.forEach(function (spec) { drawers[spec.type](spec); });

    // The places load after the base map's first frame (see whenPainted).
    if (places.start) { whenPainted(places.start); }
    if (data.layer_control) { L.control.layers(null, overlays, { collapsed: true }).addTo(map); }

    // For the browser tests (and anyone debugging): what was drawn.
    window.wijkgramMap = { map: map, markers: markers, clusters: clusters, places: places, base: base };
  }
}());
