// Sortable tables: every table.data with a header and more than a few rows sorts by a column
// when its header is clicked (numbers as numbers, text in the page's language, empty and "—"
// last either way), with aria-sort on the sorted header. A third click restores the order the
// page gave (areas in their official order). Rows marked .total stay on top; a table with
// data-sortable="false" is left alone. Tables filled later by a page's script are watched.
(function () {
  "use strict";
  // "More than a few rows": tables shorter than this are read at a glance.
  var MIN_ROWS = 4;
  var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });
  var NUMBER = /^[+\-−±]?\d+(?:\.\d+)?%?$/;

  // The sort value of a cell: its data-value when set (the raw figure behind a formatted one),
  // else its text; null when empty.
  function cellValue(cell) {
    if (!cell) return null;
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    var text = raw.trim();
    if (text === "" || text === "—" || text === "-") return null;
    var compact = text.replace(/[,\s\u00a0]/g, "");
    if (NUMBER.test(compact)) return parseFloat(compact.replace("−", "-").replace("±", ""));
    return text;
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "number") return -1;
    if (typeof b === "number") return 1;
    return collator.compare(a, b);
  }

  // Each body row's cells by column index (colspans expanded), so header columns match cells.
  function cellAt(row, column) {
    var index = 0;
    for (var i = 0; i < row.cells.length; i++) {
      index += row.cells[i].colSpan || 1;
      if (index > column) return row.cells[i];
    }
    return null;
  }

  // The header cells that head one column each, with their column index (rowspans and
  // colspans of the rows above taken into account).
  function columnHeaders(thead) {
    var taken = [];
    var headers = [];
    Array.prototype.forEach.call(thead.rows, function (row, r) {
      taken[r] = taken[r] || [];
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        while (taken[r][column]) column++;
        var span = cell.colSpan || 1;
        var down = cell.rowSpan || 1;
        for (var dr = 0; dr < down; dr++) {
          taken[r + dr] = taken[r + dr] || [];
          for (var dc = 0; dc < span; dc++) taken[r + dr][column + dc] = true;
        }
        if (span === 1 && r + down === thead.rows.length) headers.push({ cell: cell, column: column });
        column += span;
      });
    });
    return headers;
  }

  function sortableRows(body) {
    return Array.prototype.filter.call(body.rows, function (row) {
      // An "empty list" row (one cell across the table) and the totals do not move.
      return !row.classList.contains("total") && !(row.cells.length === 1 && row.cells[0].colSpan > 1);
    });
  }

  function sortBy(table, header, direction) {
    var body = table.tBodies[0];
    var rows = sortableRows(body);
    table.sorting = true;
    rows.forEach(function (row, index) {
      if (row.dataset.sortIndex === undefined) row.dataset.sortIndex = index;
    });
    var keyed = rows.map(function (row) { return { row: row, value: cellValue(cellAt(row, header.column)) }; });
    keyed.sort(function (a, b) {
      if (direction === "none") return a.row.dataset.sortIndex - b.row.dataset.sortIndex;
      // Empty cells last in either direction.
      if (a.value === null || b.value === null) {
        return (a.value === null) - (b.value === null) || a.row.dataset.sortIndex - b.row.dataset.sortIndex;
      }
      var order = compare(a.value, b.value);
      return (direction === "ascending" ? order : -order) || a.row.dataset.sortIndex - b.row.dataset.sortIndex;
    });
    keyed.forEach(function (item) { body.append(item.row); });
    table.querySelectorAll("thead th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    if (direction !== "none") header.cell.setAttribute("aria-sort", direction);
    table.sortedBy = direction === "none" ? null : { header: header, direction: direction };
    // The observer reports our own moves after this task; they are not new rows.
    setTimeout(function () { table.sorting = false; }, 0);
  }

  // Numbers start from the largest, words from the first; the third click undoes the sort.
  function nextDirection(table, header) {
    var current = table.sortedBy && table.sortedBy.header.cell === header.cell ? table.sortedBy.direction : "none";
    var numeric = sortableRows(table.tBodies[0]).some(function (row) {
      return typeof cellValue(cellAt(row, header.column)) === "number";
    });
    var first = numeric ? "descending" : "ascending";
    var second = numeric ? "ascending" : "descending";
    return current === "none" ? first : current === first ? second : "none";
  }

  function enhance(table) {
    if (table.dataset.sortable === "false" || table.dataset.sortableReady) return;
    if (!table.tHead || !table.tBodies[0] || sortableRows(table.tBodies[0]).length < MIN_ROWS) return;
    table.dataset.sortableReady = "";
    columnHeaders(table.tHead).forEach(function (header) {
      var cell = header.cell;
      if (!cell.textContent.trim()) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (cell.firstChild) button.append(cell.firstChild);
      cell.append(button);
      cell.classList.add("sortable");
      button.addEventListener("click", function () { sortBy(table, header, nextDirection(table, header)); });
    });
  }

  function watch(table) {
    if (table.dataset.sortable === "false" || !table.tBodies[0] || table.dataset.sortableWatched !== undefined) return;
    table.dataset.sortableWatched = "";
    enhance(table);
    new MutationObserver(function () {
      if (table.sorting) return;
      // New rows from the page's script: they are the order the page gives now.
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) { delete row.dataset.sortIndex; });
      if (table.sortedBy) {
        table.sortedBy.header.cell.removeAttribute("aria-sort");
        table.sortedBy = null;
      }
      enhance(table);
    }).observe(table.tBodies[0], { childList: true });
  }

  function start() {
    document.querySelectorAll("table.data").forEach(watch);
    // Tables a page's script builds later (an import's report) are made sortable too.
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) return;
          if (node.matches("table.data")) watch(node);
          node.querySelectorAll("table.data").forEach(watch);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.SafeCitySortable = { enhance: watch, cellValue: cellValue };
})();
