/* The scouting map page (/kaart): list the places its map frame loaded for the current view.
 *
 * The map frame (web/static/map.js) is sandboxed with an opaque origin, so it tells this page
 * what it loaded with postMessage. Only messages from that frame are read, and every text is
 * set with textContent: names come from the directory and are never HTML.
 */
(function () {
  "use strict";

  function textNode(tag, value) {
    var element = document.createElement(tag);
    element.textContent = value === null || value === undefined ? "" : String(value);
    return element;
  }

  function isSitePath(href) {
    return typeof href === "string" && /^\/(?![\/\\])/.test(href);
  }

  function card(place) {
    var item = document.createElement("li");
    item.className = "card venue";
    var title = document.createElement("h3");
    if (isSitePath(place.link)) {
      var link = textNode("a", place.name);
      link.setAttribute("href", place.link);
      title.appendChild(link);
    } else {
      title.textContent = String(place.name);
    }
    item.appendChild(title);
    var facts = document.createElement("dl");
    (place.rows || []).forEach(function (row) {
      facts.appendChild(textNode("dt", row[0]));
      facts.appendChild(textNode("dd", row[1]));
    });
    item.appendChild(facts);
    return item;
  }

  // Services without a venue whose area meets the view: listed apart, never a dot on the map.
  function showAreaServices(services) {
    var section = document.getElementById("area-services");
    var list = document.getElementById("area-list");
    if (!section || !list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    services.forEach(function (service) {
      var rows = [];
      if (service.category) { rows.push([list.getAttribute("data-category"), service.category]); }
      if (service.area) { rows.push([list.getAttribute("data-serves"), service.area]); }
      list.appendChild(card({ name: service.name, link: service.link, rows: rows }));
    });
    section.hidden = services.length === 0;
  }

  window.addEventListener("message", function (event) {
    var frame = document.querySelector("iframe.map-frame");
    var list = document.getElementById("venue-list");
    var count = document.getElementById("count");
    if (!frame || !list || !count || event.source !== frame.contentWindow) { return; }
    var data = event.data;
    if (!data || data.type !== "wijkgram-places" || !Array.isArray(data.places)) { return; }
    var total = Number(data.total) || 0;
    if (total === 0) {
      count.textContent = count.getAttribute("data-none");
    } else {
      var words = count.getAttribute(data.clustered ? "data-clustered" : "data-places");
      count.textContent = total.toLocaleString(document.documentElement.lang || "nl") + " " + words;
    }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    data.places.forEach(function (place) { list.appendChild(card(place)); });
    list.setAttribute("data-loaded", "true");
    showAreaServices(Array.isArray(data.areaServices) ? data.areaServices : []);
  });
}());
