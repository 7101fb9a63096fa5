// A live alert list: the latest alerts in scope, new ones on top as they arrive over the
// shell's socket. With data-actions, each open alert has acknowledge and resolve buttons;
// with data-details, its severity, kind, body and who handled it. Items rendered by the
// server (the same markup) are kept and updated; data-match (JSON, e.g. {"state": "open",
// "area": [ids]}) admits only matching new alerts, as the server filtered the first list.
(function () {
  "use strict";
  var S = window.SafeCity;

  function formatTime(iso) {
    return new Date(iso).toLocaleString(S.english ? "en" : "zh-CN", { hour12: false });
  }

  function matches(alert, match) {
    return Object.keys(match).every(function (name) {
      var wanted = match[name];
      return Array.isArray(wanted) ? wanted.indexOf(alert[name]) >= 0 : alert[name] === wanted;
    });
  }

  function details(alert) {
    var box = document.createElement("div");
    box.className = "details";
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [S.t("severity_" + alert.severity), S.t("kind_" + alert.kind)].join(" · ");
    box.append(meta);
    [["acknowledged_by", "acknowledged_at"], ["resolved_by", "resolved_at"]].forEach(function (pair) {
      if (!alert[pair[0]]) return;
      var handled = document.createElement("span");
      handled.className = "handled";
      handled.textContent = S.t(pair[0]) + " " + alert[pair[0]] + " " + formatTime(alert[pair[1]]);
      box.append(handled);
    });
    if (alert.acknowledged_note) {
      var note = document.createElement("p");
      note.className = "ack-note";
      note.dataset.ackNote = "";
      note.textContent = S.t("acknowledged_note") + "：" + alert.acknowledged_note;
      box.append(note);
    }
    var body = (S.english && alert.body_en) || alert.body;
    if (body) {
      var text = document.createElement("p");
      text.className = "body";
      text.textContent = body;
      box.append(text);
    }
    return box;
  }

  function render(list, alert, options) {
    var withActions = options.actions;
    var item = list.querySelector('[data-alert-id="' + alert.id + '"]') || document.createElement("li");
    item.dataset.alertId = alert.id;
    item.dataset.state = alert.state;
    item.className = "feed-item severity-" + alert.severity + " state-" + alert.state;
    item.removeAttribute("title");
    item.textContent = "";
    var time = document.createElement("time");
    time.dateTime = alert.created_at;
    time.textContent = formatTime(alert.created_at);
    var title = document.createElement(alert.incident ? "a" : "span");
    title.className = "title";
    title.textContent = S.alertTitle(alert);
    if (alert.incident) title.href = S.route("dash-incident", { public_id: alert.incident });
    var state = document.createElement("span");
    state.className = "state";
    state.textContent = S.t("state_" + alert.state);
    item.append(time, title, state);
    if (withActions && alert.state !== "resolved") {
      [["acknowledge", "open"], ["resolve", null]].forEach(function (pair) {
        if (pair[1] && alert.state !== pair[1]) return;
        var button = document.createElement("button");
        button.type = "button";
        button.dataset.action = pair[0];
        button.textContent = S.t(pair[0]);
        item.append(button);
      });
    }
    if (options.details) item.append(details(alert));
    return item;
  }

  function start(list) {
    var options = { actions: list.hasAttribute("data-actions"), details: list.hasAttribute("data-details") };
    var match = list.dataset.match ? JSON.parse(list.dataset.match) : {};
    var limit = parseInt(list.dataset.limit || "30", 10);

    function known(alert) {
      return list.querySelector('[data-alert-id="' + alert.id + '"]') !== null;
    }

    // One handler for the buttons of every item, those from the server included.
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button || !list.contains(button)) return;
      var item = button.closest("[data-alert-id]");
      button.disabled = true;
      S.post(S.route("alert-" + button.dataset.action, { pk: item.dataset.alertId })).then(function (updated) {
        render(list, updated, options);
      }).catch(function (error) {
        button.disabled = false;
        item.title = error.message;
      });
    });

    S.onAlert(function (event, payload) {
      if (event === "backlog") {
        payload.slice().reverse().forEach(function (alert) {
          if (known(alert) || matches(alert, match)) list.prepend(render(list, alert, options));
        });
      } else if (known(payload)) {
        render(list, payload, options);
      } else if (event === "created" && matches(payload, match)) {
        list.prepend(render(list, payload, options));
      }
      while (list.children.length > limit) list.lastElementChild.remove();
      list.classList.toggle("empty", list.children.length === 0);
    });
    list.querySelectorAll("time[datetime]").forEach(function (time) { time.textContent = formatTime(time.dateTime); });
    list.classList.toggle("empty", list.children.length === 0);
  }

  document.querySelectorAll("[data-feed]").forEach(start);
})();
