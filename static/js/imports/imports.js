// The import page: a file previewed (import-job-preview), mapped field by field (prefilled by
// the preview's proposed mapping, or a stored mapping), tried (a dry-run job), then imported
// (a job polled for its progress, cancellable), and the user's recent imports. Every figure
// shown is the import API's answer.
(function () {
  "use strict";
  var S = window.SafeCity;
  var cfg = S.config;
  var element = S.dom.element;
  var done = S.dom.done;
  var ENDED = { succeeded: true, failed: true, cancelled: true };
  var POLL_MS = 500;
  var CONSTANT = "\u0000constant";

  var state = { file: null, preview: null, sheet: "", values: {} };

  function $(id) { return document.getElementById(id); }

  function fill(text, params) {
    return String(text).replace(/%\((\w+)\)s|%s/g, function (match, name) {
      return name ? params[name] : params;
    });
  }

  function label(item) {
    return (S.english && item.label_en) || item.label;
  }

  // --- errors: a headline in the page's language, then what the API said.
  function apiMessages(error) {
    var body = error.body || {};
    var lines = [];
    Object.keys(body).forEach(function (key) {
      var value = body[key];
      (Array.isArray(value) ? value : [value]).forEach(function (message) {
        if (key === "file_problem") return;
        if (typeof message === "object") message = JSON.stringify(message);
        lines.push(key === "detail" || key === "file" ? message : key + ": " + message);
      });
    });
    if (!lines.length) lines.push(error.message);
    return lines;
  }

  function showError(id, headline, error) {
    var box = $(id);
    box.replaceChildren(element("strong", null, headline));
    if (error) {
      var list = element("ul");
      apiMessages(error).forEach(function (line) { list.append(element("li", null, line)); });
      box.append(list);
    }
    box.hidden = false;
  }

  function clearError(id) {
    $(id).hidden = true;
    $(id).replaceChildren();
  }

  function headlineFor(error, fallback) {
    if (error.status === 413) return S.t("too_large") + " (" + cfg.max_bytes_text + ")";
    var problem = error.body && error.body.file_problem;
    if (problem && cfg.strings["problem_" + problem]) return fallback + ": " + S.t("problem_" + problem);
    if (error.body && error.body.mapping) return S.t("mapping_invalid");
    return fallback;
  }

  function markStep(name) {
    var order = ["upload", "mapping", "dry", "run"];
    var at = order.indexOf(name);
    document.querySelectorAll("[data-step-mark]").forEach(function (item) {
      var index = order.indexOf(item.dataset.stepMark);
      item.toggleAttribute("data-current", index === at);
      item.toggleAttribute("data-done", index < at);
    });
  }

  // --- step 1: upload and preview.
  function previewForm(extra) {
    var form = new FormData();
    form.append("file", state.file, state.file.name);
    Object.keys(extra || {}).forEach(function (key) { form.append(key, extra[key]); });
    return form;
  }

  function requestPreview(extra) {
    return S.postForm(S.route("import-job-preview"), previewForm(extra));
  }

  function showPreview(preview) {
    state.preview = preview;
    $("preview-format").textContent = preview.file_format;
    $("preview-encoding-wrap").hidden = !preview.encoding;
    $("preview-encoding").textContent = preview.encoding || "";
    $("preview-rows").textContent = preview.rows_total === null ? "—" : S.formatNumber(preview.rows_total);
    var sheetWrap = $("sheet-wrap");
    var sheetSelect = $("sheet");
    sheetWrap.hidden = preview.file_format !== "xlsx";
    sheetSelect.replaceChildren();
    preview.sheet_names.forEach(function (name) {
      var option = element("option", null, name);
      option.value = name;
      option.selected = name === preview.sheet;
      sheetSelect.append(option);
    });
    state.sheet = preview.sheet || "";
    var table = $("preview-table");
    var headRow = element("tr");
    preview.header.forEach(function (name) { headRow.append(element("th", null, name)); });
    table.tHead.replaceChildren(headRow);
    var body = table.tBodies[0];
    body.replaceChildren();
    preview.rows.forEach(function (row) {
      var tr = element("tr");
      row.forEach(function (cell) { tr.append(element("td", null, cell === null ? "" : String(cell))); });
      body.append(tr);
    });
    $("preview").hidden = false;
    done(table);
  }

  function resetLater() {
    ["step-mapping", "step-dry", "step-run"].forEach(function (id) { $(id).hidden = true; });
    $("dry-result").hidden = true;
    $("run-result").hidden = true;
  }

  function loadFile(file) {
    state.file = file;
    state.values = {};
    clearError("upload-error");
    resetLater();
    $("preview").hidden = true;
    $("preview-table").setAttribute("data-loading", "");
    if (!file) return;
    if (file.size > cfg.max_bytes) {
      showError("upload-error", S.t("too_large") + " (" + cfg.max_bytes_text + ")");
      return;
    }
    if (!$("source-system").value) {
      $("source-system").value = file.name.replace(/\.[^.]*$/, "").replace(/[^-a-zA-Z0-9_]+/g, "_").slice(0, 48);
    }
    requestPreview()
      .then(function (preview) {
        showPreview(preview);
        buildMapping(preview, preview.proposed_mapping || { fields: {} });
      })
      .catch(function (error) { showError("upload-error", headlineFor(error, S.t("preview_failed")), error); });
  }

  $("import-file").addEventListener("change", function (event) {
    loadFile(event.target.files[0] || null);
  });

  $("sheet").addEventListener("change", function (event) {
    clearError("upload-error");
    requestPreview({ sheet: event.target.value })
      .then(function (preview) {
        showPreview(preview);
        buildMapping(preview, preview.proposed_mapping || { fields: {} });
      })
      .catch(function (error) { showError("upload-error", headlineFor(error, S.t("preview_failed")), error); });
  });

  // --- step 2: the mapping form, from a spec (the proposal, or a stored mapping).
  function sourceOf(spec, name) {
    var source = (spec.fields || {})[name];
    if (source === undefined || source === null) return {};
    if (typeof source === "string") return { column: source };
    return source;
  }

  function columnSelect(header, chosen, hasConstant) {
    var select = element("select");
    select.dataset.column = "";
    var none = element("option", null, S.t("column_none"));
    none.value = "";
    select.append(none);
    header.forEach(function (name) {
      if (!name) return;
      var option = element("option", null, name);
      option.value = name;
      select.append(option);
    });
    var constant = element("option", null, S.t("constant"));
    constant.value = CONSTANT;
    select.append(constant);
    select.value = hasConstant ? CONSTANT : chosen && header.indexOf(chosen) >= 0 ? chosen : "";
    return select;
  }

  function buildMapping(preview, spec) {
    var body = $("field-map").tBodies[0];
    body.replaceChildren();
    cfg.fields.forEach(function (field) {
      var source = sourceOf(spec, field.name);
      var hasConstant = source.value !== undefined && source.value !== null;
      var tr = element("tr");
      tr.dataset.field = field.name;
      var name = element("th", null, field.label);
      name.append(element("small", "muted", " " + field.name));
      if (field.required) {
        var mark = element("span", "required-mark", "*");
        mark.title = S.t("required");
        name.append(mark);
        tr.dataset.required = "";
      }
      var select = columnSelect(preview.header, source.column, hasConstant);
      var constant = element("input");
      constant.type = "text";
      constant.dataset.constant = "";
      constant.value = hasConstant ? source.value : "";
      constant.hidden = !hasConstant;
      select.addEventListener("change", function () {
        constant.hidden = select.value !== CONSTANT;
        // A value map belongs to its column: another column starts afresh.
        delete state.values[field.name];
        if (field.value_mappable) refreshValues();
      });
      tr.append(name, element("td").appendChild(select).parentNode,
        element("td").appendChild(constant).parentNode, element("td", "hint", field.help));
      body.append(tr);
      if (field.value_mappable && source.values) {
        state.values[field.name] = Object.assign({}, source.values);
      }
      // The mapping's own default for categories its map lacks (none: kept, and so refused).
      if (field.name === "category") state.categoryDefault = source["default"];
    });
    if (spec.time_zone) $("time-zone").value = spec.time_zone;
    $("coordinate-system").value = spec.crs || "wgs84";
    $("step-mapping").hidden = false;
    $("step-dry").hidden = false;
    markStep("mapping");
    buildValueMaps(preview.distinct_values || {});
  }

  function valueOptions(name, chosen, placeholder) {
    var select = element("select");
    var keep = element("option", null, placeholder);
    keep.value = "";
    select.append(keep);
    (cfg.value_choices[name] || []).forEach(function (group) {
      var parent = select;
      if (group.label) {
        parent = element("optgroup");
        parent.label = label(group);
        select.append(parent);
      }
      group.options.forEach(function (item) {
        var option = element("option", null, label(item) + " (" + item.value + ")");
        option.value = String(item.value);
        parent.append(option);
      });
    });
    select.value = chosen === undefined || chosen === null ? "" : String(chosen);
    return select;
  }

  // The value maps of the value-mappable fields that have a column: the distinct values the
  // preview found, each mapped through a select (a text field for free-text targets).
  function buildValueMaps(distinct) {
    var box = $("value-maps");
    box.replaceChildren();
    cfg.fields.forEach(function (field) {
      if (!field.value_mappable) return;
      var column = columnOf(field.name);
      var found = distinct[field.name];
      if (!column || !found || !found.length) return;
      var section = element("section", "value-map");
      section.dataset.values = field.name;
      section.append(element("h3", null, field.label + " · " + column + " — " + S.t("values_found")));
      var table = element("table", "data");
      var head = element("tr");
      head.append(element("th", null, column), element("th", "num", S.t("count")), element("th", null, field.label));
      table.append(element("thead").appendChild(head).parentNode);
      var tbody = element("tbody");
      var mapped = state.values[field.name] || {};
      found.forEach(function (item) {
        var tr = element("tr");
        tr.dataset.value = item.value;
        var input;
        if (cfg.value_choices[field.name]) {
          input = valueOptions(field.name, mapped[item.value], S.t("unmapped"));
        } else {
          input = element("input");
          input.type = "text";
          input.value = mapped[item.value] === undefined ? "" : mapped[item.value];
        }
        input.dataset.mapsValue = item.value;
        input.addEventListener("change", function () {
          state.values[field.name] = state.values[field.name] || {};
          if (input.value === "") delete state.values[field.name][item.value];
          else state.values[field.name][item.value] = typed(field, input.value);
        });
        tr.append(element("td", null, item.value), element("td", "num", S.formatNumber(item.count)),
          element("td").appendChild(input).parentNode);
        tbody.append(tr);
      });
      table.append(tbody);
      var scroll = element("div", "table-scroll short");
      scroll.append(table);
      section.append(scroll);
      if (field.name === "category") {
        var fallback = valueOptions("category", state.categoryDefault, S.t("unmapped"));
        fallback.id = "category-default";
        var line = element("p", null, S.t("category_default") + " ");
        line.append(fallback);
        section.append(line);
      }
      box.append(section);
    });
  }

  function typed(field, value) {
    return field.kind === "integer" || field.name === "priority" ? Number(value) : value;
  }

  function columnOf(name) {
    var select = document.querySelector('#field-map tr[data-field="' + name + '"] select[data-column]');
    return select && select.value !== CONSTANT ? select.value : "";
  }

  // The spec the form describes, in the mapping-file format the API takes.
  function currentSpec() {
    var fields = {};
    var missing = [];
    document.querySelectorAll("#field-map tr[data-field]").forEach(function (tr) {
      var name = tr.dataset.field;
      var field = cfg.fields.filter(function (f) { return f.name === name; })[0];
      var select = tr.querySelector("select[data-column]");
      var constant = tr.querySelector("input[data-constant]");
      if (select.value === CONSTANT && constant.value !== "") {
        fields[name] = { value: typed(field, constant.value) };
      } else if (select.value && select.value !== CONSTANT) {
        var source = { column: select.value };
        var values = state.values[name];
        if (values && Object.keys(values).length) source.values = Object.assign({}, values);
        var fallback = name === "category" && $("category-default");
        if (fallback && fallback.value) {
          source.values = source.values || {};
          source["default"] = fallback.value;
        }
        fields[name] = source.values ? source : select.value;
      }
      if (tr.hasAttribute("data-required") && !fields[name]) missing.push(field.label);
    });
    var spec = {
      fields: fields,
      time_zone: $("time-zone").value.trim() || cfg.time_zone,
      crs: $("coordinate-system").value,
    };
    var preview = state.preview;
    if (preview) {
      spec.format = preview.file_format;
      if (preview.encoding) spec.encoding = preview.encoding;
      if (preview.sheet) spec.sheet = preview.sheet;
    }
    return { spec: spec, missing: missing };
  }

  function checkedSpec() {
    var current = currentSpec();
    if (current.missing.length) {
      showError("mapping-error", S.t("missing_required") + " " + current.missing.join("、"));
      return null;
    }
    clearError("mapping-error");
    return current.spec;
  }

  // A value-mappable field got another column: ask the API for its values, by this mapping.
  function refreshValues() {
    var current = currentSpec();
    if (current.missing.length || !state.file) {
      buildValueMaps(state.preview ? state.preview.distinct_values : {});
      return;
    }
    requestPreview({ mapping_spec: JSON.stringify(current.spec) })
      .then(function (preview) {
        state.preview.distinct_values = preview.distinct_values;
        buildValueMaps(preview.distinct_values);
      })
      .catch(function (error) { showError("mapping-error", headlineFor(error, S.t("mapping_invalid")), error); });
  }

  // --- stored mappings: load the latest version by name, save a new version.
  function listMappings() {
    S.api(S.route("import-mapping-list")).then(function (data) {
      var list = $("mapping-names");
      list.replaceChildren();
      (data.results || data).forEach(function (mapping) {
        var option = element("option");
        option.value = mapping.name;
        list.append(option);
      });
    }).catch(function (error) { console.warn(error); });
  }

  $("load-mapping").addEventListener("click", function () {
    var name = $("mapping-name").value.trim();
    if (!name || !state.preview) return;
    var status = $("mapping-status");
    status.textContent = "";
    clearError("mapping-error");
    S.api(S.route("import-mapping-detail", { name: name }))
      .then(function (mapping) {
        var spec = mapping.latest.spec;
        state.values = {};
        state.categoryDefault = undefined;
        // The legacy top-level categories are the category field's value map.
        if (spec.categories) {
          var category = sourceOf(spec, "category");
          spec = JSON.parse(JSON.stringify(spec));
          spec.fields.category = {
            column: category.column,
            values: Object.assign({}, spec.categories, category.values || {}),
            "default": category["default"] !== undefined ? category["default"] : spec.default_category,
          };
        }
        buildMapping(state.preview, spec);
        status.textContent = fill(S.t("loaded_version"), { name: mapping.name, version: mapping.latest.number });
        status.dataset.version = mapping.latest.number;
        return requestPreview({ mapping: mapping.name }).then(function (preview) {
          state.preview.distinct_values = preview.distinct_values;
          buildValueMaps(preview.distinct_values);
        });
      })
      .catch(function (error) {
        var headline = error.status === 404 ? S.t("no_mapping_named") + ": " + name : S.t("mapping_invalid");
        showError("mapping-error", headline, error.status === 404 ? null : error);
      });
  });

  $("save-mapping").addEventListener("click", function () {
    var name = $("mapping-name").value.trim();
    var spec = checkedSpec();
    if (!name || !spec) return;
    S.post(S.route("import-mapping-list"), { name: name, spec: spec })
      .then(function (mapping) {
        var status = $("mapping-status");
        status.textContent = fill(S.t("saved_version"), { name: mapping.name, version: mapping.latest.number });
        status.dataset.version = mapping.latest.number;
        listMappings();
      })
      .catch(function (error) { showError("mapping-error", S.t("mapping_invalid"), error); });
  });

  // A changed mapping needs a new dry run before the import.
  function mappingChanged() {
    if (runningJob) return;
    $("dry-result").hidden = true;
    $("step-run").hidden = true;
  }
  $("step-mapping").addEventListener("change", mappingChanged);
  $("step-mapping").addEventListener("input", mappingChanged);

  // --- steps 3 and 4: jobs, polled until they end.
  function startJob(dryRun) {
    var spec = checkedSpec();
    if (!spec || !state.file) return Promise.reject(null);
    var form = new FormData();
    form.append("file", state.file, state.file.name);
    form.append("mapping_spec", JSON.stringify(spec));
    form.append("source_system", $("source-system").value.trim());
    form.append("time_zone", spec.time_zone);
    form.append("coordinate_system", spec.crs);
    form.append("dry_run", dryRun ? "true" : "false");
    form.append("atomic", !dryRun && $("atomic").checked ? "true" : "false");
    return S.postForm(S.route("import-job-list"), form);
  }

  function poll(jobId, onUpdate) {
    return new Promise(function (resolve, reject) {
      function tick() {
        S.api(S.route("import-job-detail", { public_id: jobId }))
          .then(function (job) {
            onUpdate(job);
            if (ENDED[job.state]) resolve(job);
            else setTimeout(tick, POLL_MS);
          })
          .catch(reject);
      }
      tick();
    });
  }

  function stateText(job) {
    var text = cfg.job_states[job.state] || job.state;
    if (job.dry_run) text = S.t("dry_run") + " · " + text;
    if (job.cancel_requested && !ENDED[job.state]) text += " · " + S.t("cancel_requested");
    if (ENDED[job.state] && !job.kept) text += " · " + S.t("nothing_saved");
    if (job.error) text += " — " + job.error;
    return text;
  }

  function showCounts(box, job) {
    box.querySelectorAll("[data-count]").forEach(function (cell) {
      cell.textContent = S.formatNumber(job.progress[cell.dataset.count]);
      cell.dataset.value = job.progress[cell.dataset.count];
    });
  }

  function showState(node, job) {
    node.textContent = stateText(job);
    node.dataset.state = job.state;
  }

  function errorsLink(link, job) {
    link.hidden = !job.errors_csv;
    if (job.errors_csv) link.href = S.route("import-job-errors", { public_id: job.id });
  }

  function showFirstErrors(job) {
    var body = $("dry-errors").tBodies[0];
    body.replaceChildren();
    if (!job.first_errors.length) {
      var empty = element("td", "muted", S.t("no_errors"));
      empty.colSpan = 4;
      body.append(element("tr").appendChild(empty).parentNode);
    }
    job.first_errors.forEach(function (problem) {
      var tr = element("tr");
      tr.dataset.row = problem.row;
      tr.append(element("td", "num", problem.row), element("td", null, problem.field),
        element("td", null, problem.value === null || problem.value === undefined ? "" : String(problem.value)),
        element("td", null, problem.message));
      body.append(tr);
    });
  }

  $("dry-run").addEventListener("click", function () {
    var button = $("dry-run");
    var result = $("dry-result");
    clearError("dry-error");
    button.disabled = true;
    result.setAttribute("data-loading", "");
    startJob(true)
      .then(function (job) {
        result.hidden = false;
        markStep("dry");
        return poll(job.id, function (update) {
          showState($("dry-state"), update);
          showCounts($("dry-counts"), update);
        });
      })
      .then(function (job) {
        showFirstErrors(job);
        errorsLink($("dry-errors-csv"), job);
        done(result);
        $("step-run").hidden = false;
        loadRecent();
      })
      .catch(function (error) {
        if (error) showError("dry-error", headlineFor(error, S.t("job_refused")), error);
      })
      .then(function () { button.disabled = false; });
  });

  function progressText(job) {
    var parts = [fill(S.t("rows_done"), {
      done: S.formatNumber(job.progress.rows_done),
      total: job.rows_total === null ? "—" : S.formatNumber(job.rows_total),
    })];
    if (job.progress.rate) parts.push(fill(S.t("rate"), S.formatNumber(job.progress.rate)));
    if (job.progress.seconds_left !== null && !ENDED[job.state]) {
      parts.push(fill(S.t("seconds_left"), S.formatDuration(job.progress.seconds_left)));
    }
    return parts.join(" · ");
  }

  var runningJob = null;

  $("run").addEventListener("click", function () {
    var button = $("run");
    var result = $("run-result");
    var bar = $("progress");
    clearError("run-error");
    button.disabled = true;
    result.setAttribute("data-loading", "");
    startJob(false)
      .then(function (job) {
        runningJob = job.id;
        result.hidden = false;
        $("cancel").hidden = false;
        markStep("run");
        return poll(job.id, function (update) {
          showState($("run-state"), update);
          // Without a total yet (a workbook that declares no size) the bar only moves.
          if (update.rows_total) {
            bar.max = update.rows_total;
            bar.value = update.progress.rows_done;
          } else {
            bar.removeAttribute("value");
          }
          bar.dataset.rowsDone = update.progress.rows_done;
          $("progress-text").textContent = progressText(update);
          showCounts($("run-counts"), update);
        });
      })
      .then(function (job) {
        errorsLink($("run-errors-csv"), job);
        done(result);
        loadRecent();
      })
      .catch(function (error) {
        if (error) showError("run-error", headlineFor(error, S.t("job_refused")), error);
      })
      .then(function () {
        runningJob = null;
        $("cancel").hidden = true;
        button.disabled = false;
      });
  });

  $("cancel").addEventListener("click", function () {
    if (!runningJob) return;
    S.post(S.route("import-job-cancel", { public_id: runningJob }))
      .catch(function (error) { showError("run-error", S.t("job_refused"), error); });
  });

  // --- the user's recent imports.
  // "YYYY-MM-DD HH:mm" in the server's zone, whatever the browser's.
  var timeFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: cfg.time_zone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  function localTime(iso) {
    if (!iso) return "—";
    var parts = {};
    timeFormat.formatToParts(new Date(iso)).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  function loadRecent() {
    var table = $("recent-jobs");
    S.api(S.route("import-job-list"))
      .then(function (data) {
        var body = table.tBodies[0];
        body.replaceChildren();
        var jobs = data.results || data;
        if (!jobs.length) {
          var empty = element("td", "muted", S.t("no_jobs"));
          empty.colSpan = 8;
          body.append(element("tr").appendChild(empty).parentNode);
        }
        jobs.slice(0, 20).forEach(function (job) {
          var tr = element("tr");
          tr.dataset.job = job.id;
          tr.dataset.state = job.state;
          var link = element("td");
          if (job.errors_csv) {
            var anchor = element("a", null, S.t("download_errors"));
            anchor.href = S.route("import-job-errors", { public_id: job.id });
            link.append(anchor);
          }
          tr.append(
            element("td", null, localTime(job.created_at)),
            element("td", null, job.file_name),
            element("td", null, stateText(job)),
            element("td", "num", S.formatNumber(job.progress.created)),
            element("td", "num", S.formatNumber(job.progress.updated)),
            element("td", "num", S.formatNumber(job.progress.unchanged)),
            element("td", "num", S.formatNumber(job.progress.rejected)),
            link
          );
          body.append(tr);
        });
        done(table);
      })
      .catch(function (error) { console.warn(error); });
  }

  markStep("upload");
  listMappings();
  loadRecent();
})();
