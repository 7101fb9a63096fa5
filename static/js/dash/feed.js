// A live alert list: the latest alerts in scope, new ones on top as they arrive over the
// shell's socket. With data-actions, each open alert has acknowledge and resolve buttons.
(function () {
  "use strict";
  var S = window.SafeCity;

  function render(list, alert, withActions) {
    var item = list.querySelector('[data-alert-id="' + alert.id + '"]') || document.createElement("li");
    item.dataset.alertId = alert.id;
    item.dataset.state = alert.state;
    item.className = "feed-item severity-" + alert.severity + " state-" + alert.state;
    item.textContent = "";
    var time = document.createElement("time");
    time.dateTime = alert.created_at;
    time.textContent = new Date(alert.created_at).toLocaleString(S.english ? "en" : "zh-CN", { hour12: false });
    var title = document.createElement(alert.incident ? "a" : "span");
    title.className = "title";
    title.textContent = S.alertTitle(alert);
    if (alert.incident) title.href = "/incidents/" + alert.incident + "/";
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
        button.addEventListener("click", function () {
          button.disabled = true;
          S.post("/api/v1/alerts/" + alert.id + "/" + pair[0] + "/").then(function (updated) {
            render(list, updated, withActions);
          }).catch(function (error) {
            button.disabled = false;
            item.title = error.message;
          });
        });
        item.append(button);
      });
    }
    return item;
  }

  function start(list) {
    var withActions = list.hasAttribute("data-actions");
    var limit = parseInt(list.dataset.limit || "30", 10);
    S.onAlert(function (event, payload) {
      if (event === "backlog") {
        payload.slice().reverse().forEach(function (alert) { list.prepend(render(list, alert, withActions)); });
      } else {
        var item = render(list, payload, withActions);
        if (!item.parentElement) list.prepend(item);
      }
      while (list.children.length > limit) list.lastElementChild.remove();
      list.classList.toggle("empty", list.children.length === 0);
    });
    list.classList.add("empty");
  }

  document.querySelectorAll("[data-feed]").forEach(start);
})();
