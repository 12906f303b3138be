// Map page: NUTS choropleth and organisation points with MapLibre GL, from
// /api/v1/atlas/map and /api/v1/atlas/points.
//
// The style is blank (one background layer): no tile server, no glyphs, nothing
// fetched from outside. Names appear in HTML (popup, side panel, legend, table).
//
// Contract for tests: #map has data-state="loading" while fetching and "ready" once the
// data is drawn, with data-feature-count (regions drawn) and data-point-count
// (organisations drawn as points); window.bioconnectMap = {map} once the map exists.
(function () {
  "use strict";

  const FILTERS = [
    "countries",
    "research",
    "group",
    "domain",
    "programme",
    "start_year",
    "end_year",
    "level",
  ];
  const NO_ORGS = "#e4e8ec";
  // Sequential blues-greens, light to dark; the darkest classes take white text in the legend.
  const RAMP = ["#d3ebe7", "#9fd3c9", "#5bb1a6", "#2a8a84", "#0b5d6b"];
  const GROUP_COLOURS = {
    academia: "#1f5fa8",
    industry: "#c2410c",
    investors: "#7e22ce",
    public: "#15803d",
    intermediaries: "#a16207",
    other: "#4b5563",
  };
  const number = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
  const euro = new Intl.NumberFormat("en", {
    style: "currency",
    currency: "EUR",
    maximumFractionDigits: 0,
  });

  const container = document.getElementById("map");
  const form = document.getElementById("map-filters");
  if (!container || !form) return;
  const status = document.getElementById("map-status");
  const coverage = document.getElementById("map-coverage");
  const details = document.getElementById("map-details");
  const legend = document.getElementById("map-legend");
  const tableBody = document.querySelector("#map-table tbody");
  const attributionNote = document.getElementById("map-attribution");

  let map = null;
  let mapLoaded = null; // resolves once the layers exist
  let popup = null;
  let mapProblem = null; // why there is no map (the table is still filled)
  let generation = 0;
  let controller = null;

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

  function count(n, one, many) {
    return `${number.format(n)} ${n === 1 ? one : many}`;
  }

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
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
      const wanted = new Set(
        params
          .getAll("countries")
          .join(",")
          .split(",")
          .map((c) => c.trim().toUpperCase())
          .filter(Boolean),
      );
      for (const box of form.querySelectorAll('input[name="countries"]')) {
        box.checked = wanted.has(box.value);
      }
    }
    for (const name of FILTERS) {
      if (name === "countries" || !params.has(name)) continue;
      const field = form.elements.namedItem(name);
      if (field) field.value = params.get(name);
    }
  }

  function filterParams() {
    const params = new URLSearchParams();
    const boxes = Array.from(form.querySelectorAll('input[name="countries"]'));
    const checked = boxes.filter((b) => b.checked).map((b) => b.value);
    if (checked.length) params.set("countries", checked.join(","));
    for (const name of FILTERS) {
      if (name === "countries") continue;
      const field = form.elements.namedItem(name);
      if (field && field.value !== "") params.set(name, field.value);
    }
    if (!params.has("level")) params.set("level", "0");
    return params;
  }

  // ---- colours ----

  function breaksFor(values) {
    const positive = values.filter((v) => v > 0).sort((a, b) => a - b);
    if (!positive.length) return [];
    const breaks = [];
    for (let i = 1; i < RAMP.length; i++) {
      const q = positive[Math.floor((i / RAMP.length) * positive.length)];
      if (q !== undefined && q > (breaks[breaks.length - 1] || positive[0])) breaks.push(q);
    }
    return breaks; // class k covers [breaks[k-1], breaks[k]) ; first class starts at 1
  }

  function fillExpression(breaks) {
    // A "step" needs at least one stop; with none, every region with organisations
    // takes the first colour.
    let fill = RAMP[0];
    if (breaks.length) {
      fill = ["step", ["get", "organisations"], RAMP[0]];
      breaks.forEach((b, i) => fill.push(b, RAMP[i + 1]));
    }
    return ["case", ["<=", ["coalesce", ["get", "organisations"], 0], 0], NO_ORGS, fill];
  }

  function drawLegend(breaks, maxValue, pointGroups) {
    legend.replaceChildren();
    legend.append(el("h3", { text: "Organisations per region (quantile classes)" }));
    const list = el("ul");
    list.append(
      el("li", {}, [el("span", { className: "swatch", style: `background:${NO_ORGS}` }), "none"]),
    );
    if (maxValue > 0) {
      const edges = [1, ...breaks, maxValue + 1];
      for (let i = 0; i < edges.length - 1; i++) {
        const low = edges[i];
        const high = edges[i + 1] - 1;
        const label = high > low ? `${number.format(low)}–${number.format(high)}` : number.format(low);
        list.append(
          el("li", {}, [el("span", { className: "swatch", style: `background:${RAMP[i]}` }), label]),
        );
      }
    }
    legend.append(list);
    if (pointGroups.length) {
      legend.append(el("h3", { text: "Organisations (where a source places them, else at their city)" }));
      const points = el("ul");
      for (const group of pointGroups) {
        const colour = GROUP_COLOURS[group] || GROUP_COLOURS.other;
        points.append(
          el("li", {}, [el("span", { className: "swatch round", style: `background:${colour}` }), group]),
        );
      }
      legend.append(points);
    }
  }

  // ---- side panel, popup, table ----

  function regionDetails(p) {
    return el("div", {}, [
      el("h3", { text: `${p.name || p.nuts_id} (${p.nuts_id})` }),
      el("dl", {}, [
        el("dt", { text: "Country" }),
        el("dd", { text: p.country || "" }),
        el("dt", { text: "Organisations" }),
        el("dd", { text: number.format(p.organisations || 0) }),
        el("dt", { text: "Participations" }),
        el("dd", { text: number.format(p.participations || 0) }),
        el("dt", { text: "EC contribution" }),
        el("dd", { text: euro.format(p.ec_contribution_eur || 0) }),
      ]),
    ]);
  }

  function organisationDetails(p) {
    return el("div", {}, [
      el("h3", { text: p.name || `Organisation ${p.org_id}` }),
      el("dl", {}, [
        el("dt", { text: "Country" }),
        el("dd", { text: p.country || "" }),
        el("dt", { text: "Group" }),
        el("dd", { text: p.stakeholder_group || "unknown" }),
        el("dt", { text: "Located" }),
        el("dd", {
          text: p.coordinates_from === "geonames-city" ? "at its city (GeoNames)" : "as a source states",
        }),
      ]),
      el("a", { href: `/organisations/${encodeURIComponent(p.org_id)}`, text: "Open the organisation page" }),
    ]);
  }

  function show(lngLat, content) {
    details.replaceChildren(content.cloneNode(true));
    if (popup) popup.remove();
    popup = new maplibregl.Popup({ closeButton: true, maxWidth: "18rem" })
      .setLngLat(lngLat)
      .setDOMContent(content)
      .addTo(map);
  }

  function drawTable(features) {
    const rows = features
      .map((f) => f.properties)
      .sort((a, b) => (b.organisations || 0) - (a.organisations || 0) || String(a.nuts_id).localeCompare(b.nuts_id));
    tableBody.replaceChildren(
      ...rows.map((p) =>
        el("tr", {}, [
          el("th", { scope: "row", text: p.name || p.nuts_id }),
          el("td", { text: p.nuts_id }),
          el("td", { text: p.country || "" }),
          el("td", { className: "num", text: number.format(p.organisations || 0) }),
          el("td", { className: "num", text: number.format(p.participations || 0) }),
          el("td", { className: "num", text: euro.format(p.ec_contribution_eur || 0) }),
        ]),
      ),
    );
  }

  function drawCoverage(regions, level, pointCount) {
    const cov = regions.coverage;
    const parts = [];
    if (cov && cov.organisations > cov.placed) {
      parts.push(
        `The NUTS ${level} region is known for ${number.format(cov.placed)} of ` +
          `${number.format(cov.organisations)} organisations; only those are counted on this map.`,
      );
    }
    parts.push(
      pointCount
        ? `${count(pointCount, "organisation has", "organisations have")} known coordinates and ${pointCount === 1 ? "is" : "are"} shown as dots.`
        : "No organisation has known coordinates for these filters, so no dots are shown.",
    );
    coverage.textContent = parts.join(" ");
    coverage.hidden = false;
  }

  // ---- geometry ----

  function extendBounds(bounds, coords) {
    if (typeof coords[0] === "number") {
      bounds[0] = Math.min(bounds[0], coords[0]);
      bounds[1] = Math.min(bounds[1], coords[1]);
      bounds[2] = Math.max(bounds[2], coords[0]);
      bounds[3] = Math.max(bounds[3], coords[1]);
      return;
    }
    for (const c of coords) extendBounds(bounds, c);
  }

  function boundsOf(collections) {
    const bounds = [Infinity, Infinity, -Infinity, -Infinity];
    for (const fc of collections) {
      for (const f of fc.features) if (f.geometry) extendBounds(bounds, f.geometry.coordinates);
    }
    return Number.isFinite(bounds[0]) ? bounds : null;
  }

  // ---- map ----

  function createMap() {
    map = new maplibregl.Map({
      container,
      style: {
        version: 8,
        sources: {},
        layers: [{ id: "background", type: "background", paint: { "background-color": "#eef2f5" } }],
      },
      center: [24.5, 58.5],
      zoom: 4,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
    });
    map.touchZoomRotate.disableRotation();
    window.bioconnectMap = { map };
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    // Resolves once the style has loaded and the sources and layers below exist.
    mapLoaded = new Promise((resolve) => map.on("load", resolve)).then(() => {
      const empty = { type: "FeatureCollection", features: [] };
      map.addSource("regions", { type: "geojson", data: empty });
      map.addSource("points", { type: "geojson", data: empty });
      map.addLayer({
        id: "regions-fill",
        type: "fill",
        source: "regions",
        paint: { "fill-color": NO_ORGS, "fill-opacity": 0.9 },
      });
      map.addLayer({
        id: "regions-line",
        type: "line",
        source: "regions",
        paint: { "line-color": "#38424d", "line-width": 0.8 },
      });
      map.addLayer({
        id: "regions-selected",
        type: "line",
        source: "regions",
        paint: { "line-color": "#c2410c", "line-width": 2.5 },
        filter: ["==", ["get", "nuts_id"], ""],
      });
      const groupColour = ["match", ["get", "stakeholder_group"]];
      for (const [group, colour] of Object.entries(GROUP_COLOURS)) groupColour.push(group, colour);
      groupColour.push(GROUP_COLOURS.other);
      map.addLayer({
        id: "points",
        type: "circle",
        source: "points",
        paint: {
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 3, 3.5, 10, 7],
          "circle-color": groupColour,
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 1.2,
        },
      });
      for (const layer of ["regions-fill", "points"]) {
        map.on("mouseenter", layer, () => (map.getCanvas().style.cursor = "pointer"));
        map.on("mouseleave", layer, () => (map.getCanvas().style.cursor = ""));
      }
      map.on("click", (event) => {
        const hits = map.queryRenderedFeatures(event.point, { layers: ["points", "regions-fill"] });
        if (!hits.length) return;
        const hit = hits[0];
        if (hit.layer.id === "points") {
          show(hit.geometry.coordinates.slice(), organisationDetails(hit.properties));
        } else {
          map.setFilter("regions-selected", ["==", ["get", "nuts_id"], hit.properties.nuts_id]);
          show(event.lngLat, regionDetails(hit.properties));
        }
      });
    });
  }

  async function fetchJSON(url, signal) {
    const response = await fetch(url, { signal, headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const problem = body && body.detail && body.detail.problem;
      throw new Error(problem || `The server answered ${response.status}.`);
    }
    return body;
  }

  async function load() {
    const mine = ++generation;
    if (controller) controller.abort();
    controller = new AbortController();
    container.dataset.state = "loading";
    setStatus("Loading the map…");
    const params = filterParams();
    showScope(params.get("research"));
    const level = params.get("level");
    const pointParams = new URLSearchParams(params);
    pointParams.delete("level");
    try {
      const [regions, points] = await Promise.all([
        fetchJSON(`/api/v1/atlas/map?${params}`, controller.signal),
        fetchJSON(`/api/v1/atlas/points?${pointParams}`, controller.signal),
        mapLoaded,
      ]);
      if (mine !== generation) return;
      drawTable(regions.features);
      drawCoverage(regions, level, points.features.length);
      if (regions.attribution) attributionNote.textContent = `${regions.attribution}.`;
      if (!map) {
        container.dataset.state = "error";
        setStatus(`${mapProblem}; the table below lists the regions.`, true);
        return;
      }
      const values = regions.features.map((f) => f.properties.organisations || 0);
      const breaks = breaksFor(values);
      map.getSource("regions").setData(regions);
      map.getSource("points").setData(points);
      map.setPaintProperty("regions-fill", "fill-color", fillExpression(breaks));
      map.setFilter("regions-selected", ["==", ["get", "nuts_id"], ""]);
      if (popup) popup.remove();
      const groups = Array.from(
        new Set(points.features.map((f) => f.properties.stakeholder_group || "other")),
      ).sort();
      drawLegend(breaks, Math.max(0, ...values), groups);
      const bounds = boundsOf([regions, points]);
      if (bounds) map.fitBounds(bounds, { padding: 24, duration: 0, maxZoom: 9 });
      map.once("idle", () => {
        if (mine !== generation) return;
        container.dataset.featureCount = String(regions.features.length);
        container.dataset.pointCount = String(points.features.length);
        container.dataset.state = "ready";
        setStatus(
          `${count(regions.features.length, "region", "regions")} and ` +
            `${count(points.features.length, "organisation", "organisations")} shown.`,
        );
      });
      map.triggerRepaint();
    } catch (err) {
      if (err.name === "AbortError" || mine !== generation) return;
      container.dataset.state = "error";
      setStatus(`The map could not be loaded: ${err.message}`, true);
    }
  }

  function start() {
    applyQueryString();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const params = filterParams();
      history.replaceState(null, "", `${window.location.pathname}?${params}`);
      load();
    });
    const research = form.elements.namedItem("research");
    if (research) research.addEventListener("change", () => form.requestSubmit());
    if (typeof window.maplibregl === "undefined") {
      mapProblem = "The map library did not load";
    } else {
      try {
        createMap();
      } catch (err) {
        map = null;
        mapProblem = `The map cannot be shown in this browser (${err.message})`;
      }
    }
    load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
