/* routesieve report: the route table of a peer page.
 * Rows come from data files (data/as<N>/routes-<k>.js) that call RS.load; they are
 * loaded one after the other, and the first page is shown as soon as the first chunk
 * is in. Only one page of rows is ever in the DOM. Everything is written with
 * textContent: no string from the data is parsed as HTML. */
(function () {
  "use strict";
  var meta = JSON.parse(document.getElementById("rs-meta").textContent);
  var PAGE = 100;
  var rows = [];          // global index -> [prefix, path, action, rule, rpki, reason]
  var hay = [];           // lower-cased search text, built on first search
  var loadedChunks = 0;
  var details = {};       // chunk -> detail array
  var waiting = {};       // chunk -> callbacks waiting for its details
  var matches = [];
  var page = 0;
  var opened = -1;
  var timer = null;
  var el = function (id) { return document.getElementById(id); };
  var status = el("status");

  function make(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function loadScript(src, onerror) {
    var s = document.createElement("script");
    s.src = src;
    s.onerror = onerror;
    document.body.appendChild(s);
  }

  function loadRoutes(n) {
    if (n >= meta.chunks) { return; }
    loadScript(meta.base + "routes-" + n + ".js", function () {
      status.textContent = "Could not load " + meta.base + "routes-" + n + ".js";
    });
  }

  window.RS = {
    load: function (kind, n, data) {
      if (kind === "routes") {
        var start = n * meta.chunk;
        for (var i = 0; i < data.length; i++) { rows[start + i] = data[i]; }
        loadedChunks += 1;
        refilter(false);
        loadRoutes(n + 1);
      } else if (kind === "detail") {
        details[n] = data;
        (waiting[n] || []).forEach(function (f) { f(data); });
        delete waiting[n];
      }
    }
  };

  function wanted() {
    return {
      verdict: el("f-verdict").value,
      rule: el("f-rule").value,
      rpki: el("f-rpki").value,
      text: el("f-text").value.trim().toLowerCase()
    };
  }

  function refilter(reset) {
    var f = wanted();
    var out = [];
    var n = rows.length;
    for (var i = 0; i < n; i++) {
      var r = rows[i];
      if (r === undefined) { continue; }
      if (f.verdict && r[2] !== f.verdict) { continue; }
      if (f.rule && r[3] !== f.rule) { continue; }
      if (f.rpki && r[4] !== f.rpki) { continue; }
      if (f.text) {
        var h = hay[i];
        if (h === undefined) { h = hay[i] = (r[0] + " " + r[1] + " " + r[5]).toLowerCase(); }
        if (h.indexOf(f.text) < 0) { continue; }
      }
      out.push(i);
    }
    matches = out;
    if (reset) { page = 0; opened = -1; }
    var last = Math.max(0, Math.ceil(matches.length / PAGE) - 1);
    if (page > last) { page = last; }
    render();
  }

  function render() {
    var body = el("route-rows");
    var frag = document.createDocumentFragment();
    var from = page * PAGE;
    var to = Math.min(matches.length, from + PAGE);
    for (var k = from; k < to; k++) {
      var i = matches[k];
      var r = rows[i];
      var tr = make("tr", r[2] === "a" ? "accept" : "reject");
      tr.dataset.index = String(i);
      tr.appendChild(make("td", "mono", r[0]));
      tr.appendChild(make("td", "mono path", r[1] || "(empty)"));
      tr.appendChild(make("td", "verdict", r[2] === "a" ? "accept" : "reject"));
      tr.appendChild(make("td", "rule", r[3]));
      tr.appendChild(make("td", "rpki rpki-" + (r[4] || "none").toLowerCase(), r[4] || "—"));
      tr.appendChild(make("td", "reason", r[5]));
      tr.addEventListener("click", toggle);
      frag.appendChild(tr);
      if (i === opened) { frag.appendChild(detailRow(i)); }
    }
    body.replaceChildren(frag);
    var done = loadedChunks >= meta.chunks;
    // timing marks, read by bench/bench_report.py
    if (to > from && !performance.getEntriesByName("rs-first-rows").length) {
      performance.mark("rs-first-rows");
    }
    if (done && !performance.getEntriesByName("rs-all-rows").length) {
      performance.mark("rs-all-rows");
    }
    var shown = matches.length ? (from + 1) + "–" + to : "0";
    status.textContent = "Showing " + shown + " of " + matches.length.toLocaleString() +
      " matching routes" + (done ? " (" + meta.total.toLocaleString() + " in all)."
        : " (loading: " + rows.length.toLocaleString() + " of " + meta.total.toLocaleString() + " routes so far).");
    el("p-info").textContent = "page " + (matches.length ? page + 1 : 0) + " of " +
      Math.ceil(matches.length / PAGE);
    el("p-prev").disabled = el("p-first").disabled = page === 0;
    el("p-next").disabled = el("p-last").disabled = to >= matches.length;
  }

  function toggle(ev) {
    var i = Number(ev.currentTarget.dataset.index);
    opened = opened === i ? -1 : i;
    render();
  }

  function withDetails(chunk, f) {
    if (details[chunk]) { f(details[chunk]); return; }
    if (!waiting[chunk]) {
      waiting[chunk] = [];
      loadScript(meta.base + "detail-" + chunk + ".js", function () {
        status.textContent = "Could not load " + meta.base + "detail-" + chunk + ".js";
      });
    }
    waiting[chunk].push(f);
  }

  function detailRow(i) {
    var tr = make("tr", "detail");
    var td = make("td");
    td.colSpan = 6;
    td.appendChild(make("p", "muted", "Loading the explanation…"));
    tr.appendChild(td);
    var chunk = Math.floor(i / meta.detail_chunk);
    withDetails(chunk, function (list) {
      fillDetail(td, rows[i], list[i - chunk * meta.detail_chunk]);
    });
    return tr;
  }

  function json(v) { return typeof v === "string" ? v : JSON.stringify(v); }
  // a list of texts (the hop-by-hop ASPA evidence) shows one per line
  function lines(v) {
    var texts = Array.isArray(v) && v.length && v.every(function (x) { return typeof x === "string"; });
    return texts ? "\n" + v.join("\n") : json(v);
  }

  function fillDetail(td, r, d) {
    var box = make("div", "explain");
    var head = make("p", "verdict-line");
    head.appendChild(make("strong", r[2] === "a" ? "ok" : "bad",
      (r[2] === "a" ? "Accepted" : "Rejected") + " by rule " + r[3] + ": "));
    head.appendChild(document.createTextNode(r[5]));
    box.appendChild(head);
    var facts = make("p", "small");
    facts.textContent = "Origin AS" + (d.o === null ? "—" : d.o) + " · sessions: " +
      (d.s.length ? d.s.join(", ") : "none named") + " · RPKI " + (r[4] || "not computed");
    box.appendChild(facts);
    if (d.a.length) {
      box.appendChild(make("h3", null, "What the peer can do"));
      var ul = make("ul", "advice");
      d.a.forEach(function (a) { ul.appendChild(make("li", null, a)); });
      box.appendChild(ul);
    }
    var keys = Object.keys(d.e || {});
    if (keys.length) {
      box.appendChild(make("h3", null, "Evidence"));
      var dl = make("dl", "kv evidence");
      keys.forEach(function (k) { dl.appendChild(make("dt", null, k)); dl.appendChild(make("dd", "mono", lines(d.e[k]))); });
      box.appendChild(dl);
    }
    box.appendChild(make("h3", null, "Every rule"));
    if (d.x) {
      var t = make("table", "grid compact steps");
      var hr = make("tr");
      ["Rule", "Test", "Outcome", "What was looked at"].forEach(function (h) { hr.appendChild(make("th", null, h)); });
      var thead = make("thead"); thead.appendChild(hr); t.appendChild(thead);
      var tb = make("tbody");
      d.x.forEach(function (s) {
        var base = s[2].replace(" (not reached)", "");
        var row = make("tr", "outcome-" + base.replace(/[^a-z]/g, "") +
          (base !== s[2] ? " unreached" : ""));
        row.appendChild(make("td", "rule", s[0]));
        row.appendChild(make("td", null, s[1]));
        row.appendChild(make("td", "outcome", s[2]));
        var cell = make("td", null, s[3]);
        var ev = Object.keys(s[4] || {}).filter(function (k) {
          var v = s[4][k]; return !(Array.isArray(v) && v.length === 0);
        });
        ev.forEach(function (k) { cell.appendChild(make("div", "mono small", k + ": " + lines(s[4][k]))); });
        row.appendChild(cell);
        tb.appendChild(row);
      });
      t.appendChild(tb);
      box.appendChild(t);
    } else {
      box.appendChild(make("p", "muted", meta.explain_note ? "In this report " + meta.explain_note + ". Run:" :
        "The listing of every rule was not computed for this route in this report (the report computes it for a limited number of routes). Run:"));
      box.appendChild(make("pre", "mono", meta.explain_command + " " + r[0]));
    }
    td.replaceChildren(box);
  }

  var ruleSelect = el("f-rule");
  meta.rules.forEach(function (rt) {
    var o = make("option", null, rt[0] + (rt[1] ? " · " + rt[1] : ""));
    o.value = rt[0];
    ruleSelect.appendChild(o);
  });
  ["f-verdict", "f-rule", "f-rpki"].forEach(function (id) {
    el(id).addEventListener("change", function () { refilter(true); });
  });
  // Enter in the search box filters at once and never submits the form (no inline
  // handler: the server's CSP, default-src 'self', forbids them)
  el("filters").addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearTimeout(timer);
    refilter(true);
  });
  el("f-text").addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { refilter(true); }, 150);
  });
  el("p-first").addEventListener("click", function () { page = 0; render(); });
  el("p-prev").addEventListener("click", function () { page = Math.max(0, page - 1); render(); });
  el("p-next").addEventListener("click", function () { page += 1; render(); });
  el("p-last").addEventListener("click", function () {
    page = Math.max(0, Math.ceil(matches.length / PAGE) - 1); render();
  });
  if (meta.chunks === 0) { render(); } else { loadRoutes(0); }
}());
