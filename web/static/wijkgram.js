/* The wijkgram page in the browser: own dots, copying the link, adding an entry by search.
 *
 * Own dots ("buurvrouw", "zus", "moskee van de familie") live only here: in sessionStorage
 * (this tab, gone when it closes) and, when the professional ticks it, behind the "#" of a
 * copied link. A browser never sends the part after "#". No request of this page carries
 * them: they are drawn into free spots the server reserved in the picture (the hidden
 * ".slot" elements), with textContent, and never written into a form.
 */
(function () {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var STORE = "wijkgram.own";
  var figure = document.getElementById("wg-figure");
  if (!figure) { return; }
  var origin = figure.getAttribute("data-origin");
  var svg = figure.querySelector("svg");
  var layer = svg.querySelector("g.personal");

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (saved && saved.origin === origin && Array.isArray(saved.dots)) { return saved.dots; }
    } catch (e) { /* a broken entry is simply forgotten */ }
    return [];
  }

  function save(dots) {
    sessionStorage.setItem(STORE, JSON.stringify({ origin: origin, dots: dots }));
  }

  function fromFragment() {
    // "#eigen=<json>" from a copied link: taken into this tab's store, then removed from the address bar.
    var hash = window.location.hash;
    if (hash.indexOf("#eigen=") !== 0) { return; }
    try {
      var dots = JSON.parse(decodeURIComponent(hash.slice(7)));
      if (Array.isArray(dots)) {
        save(dots.filter(function (d) { return d && typeof d.label === "string"; }).slice(0, 60));
      }
    } catch (e) { /* not ours */ }
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  function slots() {
    return Array.prototype.slice.call(svg.querySelectorAll("g.slot"));
  }

  function fit(text, label, maxWidth) {
    text.textContent = label;
    if (text.getComputedTextLength() <= maxWidth) { return; }
    var cut = label;
    while (cut.length > 1 && text.getComputedTextLength() > maxWidth) {
      cut = cut.slice(0, -1);
      text.textContent = cut.replace(/\s+$/, "") + "\u2026";
    }
  }

  function drawDot(slot, dot) {
    var g = document.createElementNS(SVG_NS, "g");
    g.setAttribute("class", "own-dot");
    g.setAttribute("data-ring", slot.getAttribute("data-ring"));
    g.setAttribute("data-sector", slot.getAttribute("data-sector"));
    var title = document.createElementNS(SVG_NS, "title");
    title.textContent = dot.label;
    var circle = document.createElementNS(SVG_NS, "circle");
    circle.setAttribute("cx", slot.getAttribute("data-x"));
    circle.setAttribute("cy", slot.getAttribute("data-y"));
    circle.setAttribute("r", "6");
    circle.setAttribute("fill", "#ffffff");
    circle.setAttribute("stroke", "#1a1a1a");
    circle.setAttribute("stroke-width", "2");
    var text = document.createElementNS(SVG_NS, "text");
    text.setAttribute("x", slot.getAttribute("data-text-x"));
    text.setAttribute("y", slot.getAttribute("data-text-y"));
    text.setAttribute("text-anchor", slot.getAttribute("data-anchor"));
    text.setAttribute("font-size", "15");
    text.setAttribute("font-style", "italic");
    text.setAttribute("fill", "#1a1a1a");
    g.appendChild(title);
    g.appendChild(circle);
    g.appendChild(text);
    layer.appendChild(g);
    fit(text, dot.label, parseFloat(slot.getAttribute("data-max-width")));
  }

  function el(name, attributes) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function drawNumbered(slot, row, dot, letter) {
    // A crowded cell: a lettered dot in its reserved spot, the label in a kept row of the list.
    var g = el("g", { "class": "own-dot", "data-ring": slot.getAttribute("data-ring"),
                      "data-sector": slot.getAttribute("data-sector") });
    var title = el("title", {});
    title.textContent = dot.label;
    var x = slot.getAttribute("data-x"), y = slot.getAttribute("data-y");
    var mark = el("text", { x: x, y: String(parseFloat(y) + 4), "text-anchor": "middle", "font-size": "11",
                            "font-weight": "bold", fill: "#1a1a1a" });
    mark.textContent = letter;
    var text = el("text", { x: row.getAttribute("data-text-x"), y: row.getAttribute("data-text-y"),
                            "font-size": "15", "font-style": "italic", fill: "#1a1a1a" });
    g.appendChild(title);
    g.appendChild(el("circle", { cx: x, cy: y, r: "10", fill: "#ffffff", stroke: "#1a1a1a", "stroke-width": "2" }));
    g.appendChild(mark);
    g.appendChild(text);
    layer.appendChild(g);
    fit(text, letter + ". " + dot.label, parseFloat(row.getAttribute("data-max-width")));
  }

  function take(free, dot, kind) {
    for (var i = 0; i < free.length; i++) {
      if (free[i].getAttribute("data-kind") === kind && free[i].getAttribute("data-ring") === String(dot.ring) &&
          free[i].getAttribute("data-sector") === dot.sector) { return free.splice(i, 1)[0]; }
    }
    return null;
  }

  function render() {
    var dots = load();
    while (layer.firstChild) { layer.removeChild(layer.firstChild); }
    var free = slots();
    var rows = Array.prototype.slice.call(svg.querySelectorAll("g.list-slot"));
    var letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    var lettered = 0;
    var list = document.getElementById("wg-own-list");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var missing = false;
    dots.forEach(function (dot, index) {
      var slot = take(free, dot, "label");
      if (slot) {
        drawDot(slot, dot);
      } else {
        slot = take(free, dot, "dot");
        if (slot && rows.length && lettered < letters.length) {
          drawNumbered(slot, rows.shift(), dot, letters.charAt(lettered));
          lettered += 1;
        } else {
          missing = true;
        }
      }
      var item = document.createElement("li");
      var ring = document.querySelector('#wg-own-ring option[value="' + dot.ring + '"]');
      var sector = document.querySelector('#wg-own-sector option[value="' + dot.sector + '"]');
      item.textContent = dot.label + " · " + (sector ? sector.textContent : "") + " · " +
        (ring ? ring.textContent : "") + " (" + list.getAttribute("data-own") + ") ";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = list.getAttribute("data-remove");
      remove.addEventListener("click", function () {
        var now = load();
        now.splice(index, 1);
        save(now);
        render();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    document.getElementById("wg-own-full").hidden = !missing;
  }

  function addOwn() {
    var name = document.getElementById("wg-own-name");
    var label = name.value.replace(/\s+/g, " ").trim().slice(0, 60);
    if (!label) { name.focus(); return; }
    var dots = load();
    dots.push({
      label: label,
      ring: parseInt(document.getElementById("wg-own-ring").value, 10),
      sector: document.getElementById("wg-own-sector").value
    });
    save(dots);
    name.value = "";
    render();
    name.focus();
  }

  function copyLink() {
    var input = document.getElementById("wg-link");
    var link = window.location.origin + input.getAttribute("data-path");
    if (document.getElementById("wg-with-own").checked && load().length) {
      link += "#eigen=" + encodeURIComponent(JSON.stringify(load()));
    }
    input.value = link;
    var done = function () {
      var status = document.getElementById("wg-copied");
      status.textContent = status.getAttribute("data-text");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link).then(done, function () { input.select(); });
    } else {
      input.select();
      if (document.execCommand("copy")) { done(); }
    }
  }

  function search() {
    var q = document.getElementById("wg-search-q").value.trim();
    var results = document.getElementById("wg-search-results");
    if (!q) { return; }
    // Only the words typed go to the search: no point, no own dots.
    var url = "/api/v1/search?kind=service&kind=location&page_size=8&q=" + encodeURIComponent(q);
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (body) {
      while (results.firstChild) { results.removeChild(results.firstChild); }
      var hits = (body && body.hits) || [];
      if (!hits.length) {
        var none = document.createElement("li");
        none.textContent = results.getAttribute("data-none");
        results.appendChild(none);
      }
      hits.forEach(function (hit) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = results.getAttribute("data-add");
        button.addEventListener("click", function () {
          document.getElementById("wg-add").value = hit.id;
          document.getElementById("wg-state").requestSubmit();
        });
        var where = [hit.street, hit.city].filter(Boolean).join(", ");
        item.textContent = hit.name + (where ? " (" + where + ") " : " ");
        item.appendChild(button);
        results.appendChild(item);
      });
    });
  }

  fromFragment();
  ["wg-personal", "wg-search", "wg-copy", "wg-with-own-label"].forEach(function (id) {
    document.getElementById(id).hidden = false;
  });
  document.getElementById("wg-own-add").addEventListener("click", addOwn);
  document.getElementById("wg-own-name").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); addOwn(); }
  });
  document.getElementById("wg-own-clear").addEventListener("click", function () { save([]); render(); });
  document.getElementById("wg-copy").addEventListener("click", copyLink);
  document.getElementById("wg-search-go").addEventListener("click", search);
  document.getElementById("wg-search-q").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); }
  });
  render();
}());
