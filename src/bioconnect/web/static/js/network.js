// Network explorer: /api/v1/network drawn with sigma.js (WebGL) over graphology.
//
// Node positions come from the server (computed and cached there); the browser runs
// no layout. The filters can be prefilled from the page's query string, e.g.
// /network?countries=EE,LV&scope=region_plus_partners&max_nodes=10000&colour=country.
//
// Contract for tests, on #network-graph:
//   data-state        "loading" while fetching, "ready" once drawn, "error" on failure
//   data-node-count   graph.order of the drawn graph
//   data-edge-count   graph.size of the drawn graph
//   data-render-ms    performance.now() when the first render had been painted
//                     (milliseconds since navigation start)
//   data-load-ms      performance.now() when this script started
//   data-fetch-ms     time to fetch and parse the JSON of the last load
//   data-draw-ms      time to import the graph and render it, of the last load
// and window.bioconnectNetwork = {graph, renderer, focus(key)}.
(function () {
  "use strict";

  const scriptStart = performance.now();
  const FILTERS = [
    "research",
    "scope",
    "group",
    "domain",
    "programme",
    "start_year",
    "end_year",
    "weight",
    "min_weight",
    "max_nodes",
    "max_edges",
  ];
  const PALETTE = [
    "#1f5fa8",
    "#e8710a",
    "#1a9e4b",
    "#c5221f",
    "#8e44ad",
    "#8d6e63",
    "#d81b60",
    "#00838f",
    "#9e9d24",
    "#5c6bc0",
    "#f4b400",
    "#455a64",
  ];
  const OTHER = "#b8c0c8";
  const GROUP_COLOURS = {
    academia: "#1f5fa8",
    industry: "#c2410c",
    investors: "#7e22ce",
    public: "#15803d",
    intermediaries: "#a16207",
    other: "#4b5563",
  };
  const EDGE = "#d3d9df";
  const EDGE_CROSS = "#f2b48c";
  const DIMMED = "#e6e9ec";
  const number = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
  const euro = new Intl.NumberFormat("en", {
    style: "currency",
    currency: "EUR",
    maximumFractionDigits: 0,
  });

  const container = document.getElementById("network-graph");
  const form = document.getElementById("network-filters");
  if (!container || !form) return;
  container.dataset.loadMs = scriptStart.toFixed(1);
  const status = document.getElementById("network-status");
  const details = document.getElementById("network-details");
  const legend = document.getElementById("network-legend");
  const colourSelect = document.getElementById("net-colour");
  const sizeSelect = document.getElementById("net-size");
  const searchForm = document.getElementById("net-search");
  const searchInput = document.getElementById("net-search-q");
  const hits = document.getElementById("net-search-hits");

  let graph = null;
  let renderer = null;
  let generation = 0;
  let controller = null;
  let firstRender = true;
  // Countries in the order the page's URL gave them: the server caches each view by
  // its query, so a prefilled view asks for exactly what the URL said.
  let countryOrder = [];
  const state = { hovered: null, selected: null, neighbours: new Set() };

  // Names as pages show them: without bidirectional embeddings, overrides and isolates
  // (U+202A-U+202E, U+2066-U+2069), which would reorder the text around them; the server's
  // templates drop them the same way (bioconnect.web.rendering.display_text).
  const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
  function shown(text) {
    return text == null ? "" : String(text).replace(BIDI_CONTROLS, "");
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = shown(value);
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  function SigmaClass() {
    const S = window.Sigma;
    if (typeof S === "function") return S;
    return S && (S.Sigma || S.default);
  }

  // ---- the research switch: the preset's focus or all research ----

  // Shows the statement of what the figures cover for the scope being loaded (the API's
  // default, all research, when the page has no switch).
  function showScope(research) {
    for (const node of document.querySelectorAll(".scope-statement[data-scope]")) {
      node.hidden = node.dataset.scope !== (research || "all");
    }
  }

  // ---- filters <-> URL ----

  function applyQueryString() {
    const params = new URLSearchParams(window.location.search);
    if (params.has("countries")) {
      const wanted = params
        .getAll("countries")
        .join(",")
        .split(",")
        .map((c) => c.trim().toUpperCase())
        .filter(Boolean);
      countryOrder = wanted;
      const boxes = Array.from(form.querySelectorAll('input[name="countries"]'));
      const known = new Set(boxes.map((b) => b.value));
      for (const box of boxes) box.checked = wanted.includes(box.value);
      const extra = wanted.filter((c) => !known.has(c));
      form.elements.namedItem("more_countries").value = extra.join(",");
    }
    for (const name of FILTERS) {
      const field = form.elements.namedItem(name);
      if (field && params.has(name)) field.value = params.get(name);
    }
    const cross = params.get("cross_border_only");
    if (cross !== null) form.elements.namedItem("cross_border_only").checked = cross === "true";
    if (params.has("colour")) colourSelect.value = params.get("colour");
    if (params.has("size")) sizeSelect.value = params.get("size");
  }

  function filterParams() {
    const params = new URLSearchParams();
    const countries = Array.from(form.querySelectorAll('input[name="countries"]:checked')).map(
      (b) => b.value,
    );
    const more = form.elements.namedItem("more_countries").value;
    for (const code of more.split(",")) {
      const c = code.trim().toUpperCase();
      if (/^[A-Z]{2}$/.test(c) && !countries.includes(c)) countries.push(c);
    }
    const rank = (c) => (countryOrder.includes(c) ? countryOrder.indexOf(c) : countryOrder.length);
    const ordered = countries
      .map((c, i) => ({ c, i }))
      .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
      .map((x) => x.c);
    if (ordered.length) params.set("countries", ordered.join(","));
    for (const name of FILTERS) {
      const field = form.elements.namedItem(name);
      if (field && field.value !== "") params.set(name, field.value);
    }
    if (form.elements.namedItem("cross_border_only").checked) params.set("cross_border_only", "true");
    return params;
  }

  function pageParams() {
    const params = filterParams();
    params.set("colour", colourSelect.value);
    params.set("size", sizeSelect.value);
    return params;
  }

  // ---- colours and sizes ----

  function colourScheme(by, nodes) {
    if (by === "stakeholder_group") {
      const present = new Set(nodes.map((n) => n.attributes.stakeholder_group || "other"));
      const entries = Object.keys(GROUP_COLOURS)
        .filter((g) => present.has(g))
        .map((g) => ({ value: g, label: g, colour: GROUP_COLOURS[g] }));
      return {
        colour: (a) => GROUP_COLOURS[a.stakeholder_group] || GROUP_COLOURS.other,
        entries,
        title: "Stakeholder group",
      };
    }
    const counts = new Map();
    for (const n of nodes) {
      const v = n.attributes[by];
      const key = v === null || v === undefined ? "" : String(v);
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    const ranked = Array.from(counts.entries())
      .filter(([k]) => k !== "")
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const colours = new Map();
    ranked.slice(0, PALETTE.length).forEach(([k], i) => colours.set(k, PALETTE[i]));
    const entries = ranked.slice(0, PALETTE.length).map(([k, c]) => ({
      value: k,
      label: `${by === "community" ? "Community " : ""}${k} (${number.format(c)})`,
      colour: colours.get(k),
    }));
    const rest = ranked.slice(PALETTE.length).reduce((s, [, c]) => s + c, 0) + (counts.get("") || 0);
    if (rest) {
      entries.push({ value: "", label: `Other (${number.format(rest)})`, colour: OTHER });
    }
    return {
      colour: (a) => {
        const v = a[by];
        return colours.get(v === null || v === undefined ? "" : String(v)) || OTHER;
      },
      entries,
      title: by === "community" ? "Community (largest first)" : "Country (most organisations first)",
    };
  }

  function sizer(metric, nodes) {
    const big = nodes.length > 5000;
    const low = big ? 1.5 : 2.5;
    const high = big ? 11 : 15;
    let max = 0;
    for (const n of nodes) max = Math.max(max, Number(n.attributes[metric]) || 0);
    return (a) => {
      const v = Math.max(0, Number(a[metric]) || 0);
      return max > 0 ? low + (high - low) * Math.sqrt(v / max) : low;
    };
  }

  function styleNodes(nodes) {
    const scheme = colourScheme(colourSelect.value, nodes);
    const size = sizer(sizeSelect.value, nodes);
    for (const n of nodes) {
      const a = n.attributes;
      a.color = scheme.colour(a);
      a.size = size(a);
      if (!a.label) a.label = shown(a.name || a.pic || n.key);
      if (typeof a.x !== "number" || typeof a.y !== "number") {
        a.x = Math.random();
        a.y = Math.random();
      }
    }
    return scheme;
  }

  function styleEdges(edges) {
    let max = 0;
    for (const e of edges) max = Math.max(max, Number(e.attributes.weight) || 0);
    const scale = max > 0 ? Math.log1p(max) : 1;
    const dense = edges.length > 50000;
    const low = dense ? 0.2 : 0.4;
    const span = dense ? 1.3 : 2.6;
    for (const e of edges) {
      const a = e.attributes;
      a.size = low + span * (Math.log1p(Math.max(0, Number(a.weight) || 0)) / scale);
      a.color = a.cross_border ? EDGE_CROSS : EDGE;
    }
  }

  function restyle() {
    if (!graph) return;
    const nodes = graph.mapNodes((key, attributes) => ({ key, attributes }));
    const scheme = colourScheme(colourSelect.value, nodes);
    const size = sizer(sizeSelect.value, nodes);
    graph.updateEachNodeAttributes(
      (key, a) => Object.assign(a, { color: scheme.colour(a), size: size(a) }),
      { attributes: ["color", "size"] },
    );
    drawLegend(scheme);
    history.replaceState(null, "", `${window.location.pathname}?${pageParams()}`);
  }

  function drawLegend(scheme) {
    legend.replaceChildren(el("h3", { text: `Colour: ${scheme.title}` }));
    const list = el("ul");
    for (const e of scheme.entries) {
      list.append(
        el("li", {}, [el("span", { className: "swatch round", style: `background:${e.colour}` }), e.label]),
      );
    }
    legend.append(list, el("h3", { text: "Ties" }));
    legend.append(
      el("ul", {}, [
        el("li", {}, [el("span", { className: "swatch", style: `background:${EDGE}` }), "within a country"]),
        el("li", {}, [el("span", { className: "swatch", style: `background:${EDGE_CROSS}` }), "across borders"]),
      ]),
    );
    legend.append(
      el("p", {
        className: "note",
        text: `Size: ${sizeSelect.options[sizeSelect.selectedIndex].text.toLowerCase()}.`,
      }),
    );
  }

  // ---- highlight, selection, side panel ----

  function setFocus() {
    const focus = state.hovered || state.selected;
    state.neighbours = new Set(focus && graph.hasNode(focus) ? graph.neighbors(focus) : []);
    if (renderer) renderer.refresh({ skipIndexation: true });
  }

  function nodeReducer(node, data) {
    const focus = state.hovered || state.selected;
    if (!focus) return data;
    const res = Object.assign({}, data);
    if (node === focus) {
      res.highlighted = true;
      res.zIndex = 2;
    } else if (state.neighbours.has(node)) {
      res.zIndex = 1;
      res.forceLabel = state.neighbours.size <= 40;
    } else {
      res.color = DIMMED;
      res.label = "";
      res.zIndex = 0;
    }
    if (node === state.selected) res.highlighted = true;
    return res;
  }

  function edgeReducer(edge, data) {
    const focus = state.hovered || state.selected;
    if (!focus) return data;
    if (!graph.hasExtremity(edge, focus)) return Object.assign({}, data, { hidden: true });
    return Object.assign({}, data, { zIndex: 1, size: Math.max(data.size, 1.2) });
  }

  function row(label, value) {
    return [el("dt", { text: label }), el("dd", { text: value })];
  }

  function showDetails(key) {
    if (!key || !graph.hasNode(key)) {
      details.replaceChildren(
        el("p", { className: "note", text: "Select an organisation in the graph or find one by name." }),
      );
      return;
    }
    const a = graph.getNodeAttributes(key);
    const partners = graph
      .mapEdges(key, (edge, ea, source, target) => ({
        key: source === key ? target : source,
        weight: Number(ea.weight) || 0,
      }))
      .sort((x, y) => y.weight - x.weight)
      .slice(0, 10);
    const list = el("ul", { className: "search-hits" });
    for (const p of partners) {
      const button = el("button", {
        type: "button",
        text: `${graph.getNodeAttribute(p.key, "label")} (${decimal.format(p.weight)})`,
      });
      button.addEventListener("click", () => focusNode(p.key));
      list.append(el("li", {}, [button]));
    }
    details.replaceChildren(
      el("h3", { text: a.name || a.label || key }),
      el("dl", {}, [
        ...row("PIC", a.pic || key),
        ...row("Country", a.country || "–"),
        ...row("Group", a.stakeholder_group || "unknown"),
        ...row("Domain", a.domain || "–"),
        ...row("Projects", number.format(a.n_projects || 0)),
        ...row("EC contribution", euro.format(a.ec_contribution || 0)),
        ...row("Partners (degree)", number.format(a.degree || 0)),
        ...row("Strength", decimal.format(a.strength || 0)),
        ...row("PageRank", (a.pagerank || 0).toFixed(5)),
        ...row("Community", a.community === null || a.community === undefined ? "–" : String(a.community)),
      ]),
      el("p", {}, [
        el("a", { href: `/organisations/${encodeURIComponent(key)}`, text: "Open the organisation page" }),
      ]),
      el("h4", { text: "Strongest ties" }),
      list,
    );
  }

  function select(key) {
    state.selected = key;
    setFocus();
    showDetails(key);
  }

  function focusNode(key) {
    if (!renderer || !graph.hasNode(key)) return;
    select(key);
    const pos = renderer.getNodeDisplayData(key);
    if (pos) {
      renderer.getCamera().animate({ x: pos.x, y: pos.y, ratio: 0.25 }, { duration: 400 });
    }
  }

  // ---- search ----

  function search(query) {
    const q = query.trim().toLowerCase();
    if (!graph || !q) return [];
    const found = [];
    graph.forEachNode((key, a) => {
      const name = String(a.name || a.label || "").toLowerCase();
      const pic = String(a.pic || key);
      let score = -1;
      if (pic === q || key === q) score = 0;
      else if (name === q) score = 1;
      else if (name.startsWith(q)) score = 2;
      else if (name.includes(q)) score = 3;
      if (score >= 0) found.push({ key, score, name, weight: a.degree || 0 });
    });
    found.sort((x, y) => x.score - y.score || y.weight - x.weight || x.name.localeCompare(y.name));
    return found.slice(0, 12);
  }

  function showHits(found, query) {
    hits.replaceChildren();
    if (!query.trim()) return;
    if (!found.length) {
      hits.append(el("li", { className: "note", text: `No organisation in this network matches “${query}”.` }));
      return;
    }
    for (const f of found) {
      const a = graph.getNodeAttributes(f.key);
      const button = el("button", { type: "button", text: `${a.label} · ${a.country || ""}` });
      button.addEventListener("click", () => focusNode(f.key));
      hits.append(el("li", {}, [button]));
    }
  }

  // ---- loading and drawing ----

  async function fetchGraph(params, signal) {
    const response = await fetch(`/api/v1/network?${params}`, {
      signal,
      headers: { Accept: "application/json" },
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const detail = (body && body.detail) || {};
      // a refusal says what to do too (a 429: sign in, or try again in so many seconds)
      const said = [detail.problem, response.status === 429 ? detail.fix : null];
      throw new Error(said.filter(Boolean).join(" ") || `The server answered ${response.status}.`);
    }
    return body;
  }

  function draw(data) {
    const Sigma = SigmaClass();
    const scheme = styleNodes(data.nodes);
    styleEdges(data.edges);
    const next = new graphology.Graph(
      Object.assign({ type: "undirected", multi: false, allowSelfLoops: false }, data.options || {}),
    );
    next.import(data);
    if (renderer) renderer.kill();
    graph = next;
    state.hovered = null;
    state.selected = null;
    state.neighbours = new Set();
    const large = graph.order > 3000;
    renderer = new Sigma(graph, container, {
      nodeReducer,
      edgeReducer,
      zIndex: true,
      renderEdgeLabels: false,
      hideEdgesOnMove: large,
      labelRenderedSizeThreshold: large ? 9 : 7,
      labelDensity: large ? 0.5 : 1,
      labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
      labelColor: { color: "#1b1f24" },
      defaultEdgeColor: EDGE,
      minCameraRatio: 0.01,
      maxCameraRatio: 5,
    });
    renderer.on("enterNode", ({ node }) => {
      state.hovered = node;
      container.style.cursor = "pointer";
      setFocus();
    });
    renderer.on("leaveNode", () => {
      state.hovered = null;
      container.style.cursor = "";
      setFocus();
    });
    renderer.on("clickNode", ({ node }) => select(node));
    renderer.on("clickStage", () => select(null));
    window.bioconnectNetwork = { graph, renderer, focus: focusNode };
    drawLegend(scheme);
    showDetails(null);
    hits.replaceChildren();
  }

  async function load() {
    const mine = ++generation;
    if (controller) controller.abort();
    controller = new AbortController();
    container.dataset.state = "loading";
    container.setAttribute("aria-busy", "true");
    setStatus("Loading the network…");
    const params = filterParams();
    showScope(params.get("research"));
    try {
      const t0 = performance.now();
      const data = await fetchGraph(params, controller.signal);
      if (mine !== generation) return;
      const t1 = performance.now();
      draw(data);
      requestAnimationFrame(() => {
        if (mine !== generation) return;
        const t2 = performance.now();
        container.dataset.fetchMs = (t1 - t0).toFixed(1);
        container.dataset.drawMs = (t2 - t1).toFixed(1);
        if (firstRender) {
          container.dataset.renderMs = t2.toFixed(1);
          firstRender = false;
        }
        container.dataset.nodeCount = String(graph.order);
        container.dataset.edgeCount = String(graph.size);
        container.dataset.state = "ready";
        container.removeAttribute("aria-busy");
        const attrs = data.attributes || {};
        const cut = attrs.n_nodes && attrs.n_nodes > graph.order;
        setStatus(
          `${number.format(graph.order)} organisations and ${number.format(graph.size)} ties shown` +
            (cut ? ` (the ${number.format(graph.order)} most central of ${number.format(attrs.n_nodes)}).` : "."),
        );
      });
    } catch (err) {
      if (err.name === "AbortError" || mine !== generation) return;
      container.dataset.state = "error";
      container.removeAttribute("aria-busy");
      setStatus(`The network could not be shown: ${err.message}`, true);
    }
  }

  function start() {
    applyQueryString();
    if (typeof window.graphology === "undefined" || !SigmaClass()) {
      container.dataset.state = "error";
      setStatus("The graph libraries did not load.", true);
      return;
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      history.replaceState(null, "", `${window.location.pathname}?${pageParams()}`);
      load();
    });
    form.elements.namedItem("cross_border_only").addEventListener("change", () => {
      form.requestSubmit();
    });
    const research = form.elements.namedItem("research");
    if (research) research.addEventListener("change", () => form.requestSubmit());
    colourSelect.addEventListener("change", restyle);
    sizeSelect.addEventListener("change", restyle);
    searchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const found = search(searchInput.value);
      showHits(found, searchInput.value);
      if (found.length) focusNode(found[0].key);
    });
    let timer = null;
    searchInput.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => showHits(search(searchInput.value), searchInput.value), 200);
    });
    load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
