// Text for tooltips, popups and chart tooltips. Names come from the database (areas, units,
// dispute types, categories) and may hold anything, so they are only ever set as text: Leaflet
// takes an element made here instead of an HTML string, and ECharts' formatter functions (which
// return HTML) escape every name with escapeHtml.
(function () {
  "use strict";
  var S = window.SafeCity;
  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function asText(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function escapeHtml(value) {
    return asText(value).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; });
  }

  // A <div> of lines of text, one per item, for bindTooltip, setTooltipContent or bindPopup.
  function lines(items) {
    var box = document.createElement("div");
    items.forEach(function (item, index) {
      if (index) box.append(document.createElement("br"));
      box.append(document.createTextNode(asText(item)));
    });
    return box;
  }

  // A link whose words are text, for a popup.
  function link(href, text) {
    var anchor = document.createElement("a");
    anchor.href = href;
    anchor.textContent = asText(text);
    return anchor;
  }

  S.text = { escapeHtml: escapeHtml, lines: lines, link: link };
})();
