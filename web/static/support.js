/* Steun in de buurt: after a search the page opens at its results (the form posts to
   /steun/zoeken#results); here focus moves to the results heading too, so a screen reader
   says what was found and the next Tab reaches "Maak een folder". Done after "load": the
   browser's own scroll to #results comes then and would otherwise drop the focus again.
   No inline script: the Content-Security-Policy allows scripts from this site only. */
(function () {
  function focusResults() {
    var heading = document.getElementById("results-title");
    if (heading && document.activeElement !== heading) {
      heading.focus();
      heading.scrollIntoView({ block: "start" });
    }
  }
  if (document.readyState === "complete") {
    focusResults();
  } else {
    window.addEventListener("load", function () { window.setTimeout(focusResults, 0); });
  }
})();
