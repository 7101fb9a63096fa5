// The header's saved-views control: save this page's selection (its path and query string)
// under a name, shared or not; list the views one may open, make one the home view, delete
// one's own. Everything goes through /api/v1/views/ (the routes of the page's table).
(function () {
  "use strict";
  var S = window.SafeCity;
  var menu = document.querySelector("[data-views]");
  if (!menu) return;
  var form = menu.querySelector("[data-view-save]");
  var list = menu.querySelector("[data-views-list]");
  var empty = menu.querySelector("[data-views-empty]");
  var errorBox = menu.querySelector("[data-view-error]");
  var itemTemplate = menu.querySelector("template[data-view-item]");
  var sharedWord = menu.querySelector("template[data-view-shared]").content.textContent;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function send(method, path) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
    });
  }

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  function render(views) {
    list.textContent = "";
    empty.hidden = views.length > 0;
    views.forEach(function (view) {
      var item = itemTemplate.content.firstElementChild.cloneNode(true);
      item.dataset.viewId = view.id;
      var link = item.querySelector("[data-view-open]");
      link.textContent = view.name;
      link.href = S.route("view-open", { pk: view.id });
      var meta = [view.area_name || "", view.shared ? sharedWord : ""];
      if (!view.mine) meta.push(view.owner);
      item.querySelector("[data-view-meta]").textContent = meta.filter(Boolean).join(" · ");
      var home = item.querySelector("[data-view-home]");
      if (view.is_home) {
        home.textContent = "★ " + home.dataset.on;
        home.setAttribute("aria-pressed", "true");
      }
      home.addEventListener("click", function () {
        send(view.is_home ? "DELETE" : "POST", S.route("view-home", { pk: view.id })).then(load);
      });
      var remove = item.querySelector("[data-view-delete]");
      if (view.mine) {
        remove.addEventListener("click", function () {
          send("DELETE", S.route("view-detail", { pk: view.id })).then(load);
        });
      } else {
        remove.remove();
      }
      list.append(item);
    });
    S.dom.done(list);
  }

  function load() {
    list.setAttribute("data-loading", "");
    return S.api(S.route("view-list")).then(render);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError("");
    S.post(S.route("view-list"), {
      name: form.elements.name.value,
      path: window.location.pathname,
      query: window.location.search.replace(/^\?/, ""),
      shared: form.elements.shared.checked,
    }).then(function () {
      form.reset();
      return load();
    }).catch(function (error) {
      var body = error.body || {};
      var first = Object.keys(body).map(function (key) { return [].concat(body[key]).join(" "); });
      showError(first.join(" ") || error.message);
    });
  });

  menu.addEventListener("toggle", function () {
    if (menu.open) load();
  });
})();
