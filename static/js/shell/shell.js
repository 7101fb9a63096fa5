// The dashboard shell: page configuration, JSON requests, the pickers and the live alert
// badge and toasts (the ws-alerts socket). Page modules use window.SafeCity.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("page-config").textContent);
  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  var alertListeners = [];

  function t(key) {
    return (config.strings && config.strings[key]) || key;
  }

  function url(path, params) {
    var query = new URLSearchParams();
    Object.keys(params || {}).forEach(function (name) {
      var value = params[name];
      if (value !== null && value !== undefined && value !== "") query.set(name, value);
    });
    var text = query.toString();
    return text ? path + (path.indexOf("?") >= 0 ? "&" : "?") + text : path;
  }

  // The path of a named route (SafeCity.config.routes, from the page's route table) with its
  // {parameters} filled in: scripts never spell out a path.
  function route(name, params) {
    var path = config.routes && config.routes[name];
    if (!path) throw new Error("no route " + name + " on this page");
    return path.replace(/\{(\w+)\}/g, function (_, key) {
      if (!params || params[key] === undefined || params[key] === null) throw new Error(name + ": no " + key);
      return encodeURIComponent(params[key]);
    });
  }

  // A WebSocket to a named socket route, on this page's host and scheme.
  function openSocket(name) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return new WebSocket(scheme + window.location.host + route(name));
  }

  function api(path, params) {
    return fetch(url(path, params), { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.json();
    });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // A refused request's error carries the HTTP status and the API's answer (field errors).
  function answered(response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      if (!response.ok) {
        var error = new Error(data.detail || "HTTP " + response.status);
        error.status = response.status;
        error.body = data;
        throw error;
      }
      return data;
    });
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    }).then(answered);
  }

  // A multipart POST (a FormData with files), as file uploads are sent.
  function postForm(path, formData) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      body: formData,
    }).then(answered);
  }

  var numberFormat = new Intl.NumberFormat(english ? "en" : "zh-CN", { maximumFractionDigits: 1 });
  function formatNumber(value) {
    return value === null || value === undefined ? "—" : numberFormat.format(value);
  }

  // A name in the page's language, from an object with name and name_en.
  function localName(item) {
    return (english && item.name_en) || item.name || item.code || "";
  }

  // Drill down: the same page for another area, keeping the window.
  function drillUrl(areaId) {
    var query = new URLSearchParams(window.location.search);
    query.set("area", areaId);
    return window.location.pathname + "?" + query.toString();
  }

  function alertTitle(alert) {
    return (english && alert.title_en) || alert.title;
  }

  // --- pickers: submit on change; the custom dates only for the custom window.
  var picker = document.querySelector("[data-picker]");
  if (picker) {
    var windowSelect = picker.querySelector("[data-window]");
    var custom = picker.querySelector("[data-custom-window]");
    picker.addEventListener("change", function (event) {
      if (event.target === windowSelect && windowSelect.value === "custom") {
        custom.hidden = false;
        return;
      }
      if (event.target.type === "date") return;
      if (windowSelect && windowSelect.value !== "custom") {
        custom.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
      }
      picker.submit();
    });
  }

  // --- print buttons (no inline handlers: the Content-Security-Policy forbids them).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // --- live alerts: badge and toasts on every page, listeners for page modules.
  var badge = document.querySelector("[data-alert-count]");
  var toasts = document.querySelector("[data-toasts]");
  var openCount = badge ? parseInt(badge.textContent, 10) || 0 : 0;
  var lastId = null;

  function setCount(count) {
    openCount = Math.max(0, count);
    if (badge) {
      badge.textContent = openCount;
      badge.parentElement.classList.toggle("has-open", openCount > 0);
    }
  }
  setCount(openCount);

  function toast(alert) {
    if (!toasts) return;
    var item = document.createElement("div");
    item.className = "toast severity-" + alert.severity;
    item.setAttribute("role", "status");
    item.dataset.alertId = alert.id;
    var title = document.createElement("strong");
    title.textContent = alertTitle(alert);
    var body = document.createElement("span");
    body.textContent = (english && alert.body_en) || alert.body || "";
    item.append(title, body);
    toasts.prepend(item);
    setTimeout(function () { item.remove(); }, 8000);
  }

  // Known states of alerts, so a resolve counts down only an alert that was still open.
  var states = {};

  function onMessage(message) {
    if (message.type === "backlog") {
      message.alerts.forEach(function (alert) {
        lastId = Math.max(lastId || 0, alert.id);
        states[alert.id] = alert.state;
      });
      alertListeners.forEach(function (listener) { listener("backlog", message.alerts); });
    } else if (message.type === "alert") {
      var alert = message.alert;
      var before = states[alert.id];
      if (before === undefined && message.event !== "created") {
        // Older than the backlog (say, acknowledged on the alerts page): the event tells what
        // it was. Alerts only move forward, and resolving an open one acknowledges it at the
        // same instant.
        var wasAcknowledged = message.event === "resolved" && alert.acknowledged_at !== alert.resolved_at;
        before = wasAcknowledged ? "acknowledged" : "open";
      }
      states[alert.id] = alert.state;
      lastId = Math.max(lastId || 0, alert.id);
      if (message.event === "created") {
        if (before === undefined) setCount(openCount + 1);
        toast(alert);
      } else if (before === "open" && alert.state !== "open") {
        setCount(openCount - 1);
      }
      alertListeners.forEach(function (listener) { listener(message.event, alert); });
    }
  }

  var retryDelay = 1000;
  function connect() {
    if (!badge) return;
    var socket = openSocket("ws-alerts");
    socket.addEventListener("open", function () {
      retryDelay = 1000;
      if (lastId !== null) socket.send(JSON.stringify({ resume_after: lastId }));
    });
    socket.addEventListener("message", function (event) { onMessage(JSON.parse(event.data)); });
    socket.addEventListener("close", function (event) {
      // 4401/4403/4408: not allowed, or credentials gone or idle; retrying will not help.
      if (event.code === 4401 || event.code === 4403 || event.code === 4408) return;
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
    window.SafeCity.alertSocket = socket;
  }

  window.SafeCity = {
    config: config,
    english: english,
    t: t,
    url: url,
    route: route,
    socket: openSocket,
    api: api,
    post: post,
    postForm: postForm,
    formatNumber: formatNumber,
    localName: localName,
    drillUrl: drillUrl,
    alertTitle: alertTitle,
    onAlert: function (listener) { alertListeners.push(listener); },
    setAlertCount: function (count) { setCount(count); },
    get openAlertCount() { return openCount; },
  };
  connect();
})();
