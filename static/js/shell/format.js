// How the pages write money and durations, in the page's language: one formatter each, the
// same rules as safecity/core/formatting.py (tests/core/test_formatting.py checks the two
// agree). Money: Chinese magnitudes (元, 万元, 亿元) in Chinese, ¥ with K, M, B in English, the
// thousands grouped by commas. Durations: "4 分 47 秒" in Chinese, "4 min 47 s" in English.
(function () {
  "use strict";

  // Each language's magnitudes, largest first: [factor, unit]; the last is the plain unit.
  var MONEY = {
    zh: [[1e8, "亿元"], [1e4, "万元"], [1, "元"]],
    en: [[1e9, "B"], [1e6, "M"], [1e3, "K"], [1, ""]],
  };
  var DURATION = { zh: ["小时", "分", "秒"], en: ["h", "min", "s"] };

  function grouped(value, decimals) {
    return new Intl.NumberFormat("en", {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true,
    }).format(value);
  }

  function language(english) { return english ? "en" : "zh"; }

  // An amount of yuan: "8,500 元", "12.3 万元", "1.2 亿元"; "¥8,500", "¥12.3K", "¥1.2M".
  function money(value, english) {
    if (value === null || value === undefined || value === "" || isNaN(value)) return "—";
    var units = MONEY[language(english)];
    var amount = Math.abs(Number(value));
    var sign = Number(value) < 0 ? "-" : "";
    var index = units.length - 1;
    for (var i = 0; i < units.length - 1; i++) {
      if (amount >= units[i][0]) { index = i; break; }
    }
    var decimals = index === units.length - 1 ? 0 : 1;
    var scaled = amount / units[index][0];
    // 9,999.96 万 rounds to 10,000.0 万: written as 1.0 亿.
    if (index > 0 && Number(scaled.toFixed(decimals)) * units[index][0] >= units[index - 1][0]) {
      index -= 1;
      decimals = 1;
      scaled = amount / units[index][0];
    }
    var number = grouped(scaled, decimals);
    if (english) return sign + "¥" + number + units[index][1];
    return sign + number + " " + units[index][1];
  }

  // Whole seconds as hours, minutes and seconds, naming only the parts that are not zero.
  function duration(seconds, english) {
    if (seconds === null || seconds === undefined || seconds === "" || isNaN(seconds)) return "—";
    var words = DURATION[language(english)];
    var total = Math.floor(Math.abs(Number(seconds)));
    var parts = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
    var shown = [];
    parts.forEach(function (count, i) { if (count) shown.push(count + " " + words[i]); });
    if (!shown.length) shown.push("0 " + words[2]);
    return (Number(seconds) < 0 ? "-" : "") + shown.join(" ");
  }

  var api = { money: money, duration: duration };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  if (typeof window !== "undefined") {
    window.SafeCityFormat = api;
    var S = window.SafeCity;
    if (S) {
      S.formatMoney = function (value) { return money(value, S.english); };
      S.formatDuration = function (seconds) { return duration(seconds, S.english); };
    }
  }
})();
