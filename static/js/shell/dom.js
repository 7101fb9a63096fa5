// Small DOM helpers the page scripts share: building an element with its class and text, and
// marking a block as loaded.
(function () {
  "use strict";
  var S = window.SafeCity;

  // An element with an optional class and text (always set as text, never as HTML).
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // A block's data has arrived (the tests and the styles wait for data-loading to go).
  function done(node) { node.removeAttribute("data-loading"); }

  S.dom = { element: element, done: done };
})();
