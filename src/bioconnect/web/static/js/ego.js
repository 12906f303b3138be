// Organisation page: the organisation and its top partners as a star, drawn with
// sigma.js into #ego-network (data-org = the organisation's id). Positions are
// computed here: the organisation in the centre, partners on a circle, the most
// frequent partners first (clockwise from the top).
//
// Contract for tests: #ego-network gets data-state="ready", data-node-count and
// data-edge-count once drawn; window.bioconnectEgo = {graph, renderer}.
(function () {
  "use strict";

  const GROUP_COLOURS = {
    academia: "#1f5fa8",
    industry: "#c2410c",
    investors: "#7e22ce",
    public: "#15803d",
    intermediaries: "#a16207",
    other: "#4b5563",
  };
  const CENTRE = "#0b5d6b";
  const EDGE = "#c4ccd4";
  const MAX_PARTNERS = 30;

  const container = document.getElementById("ego-network");
  if (!container || !container.dataset.org) return;

  function fail(message) {
    container.dataset.state = "error";
    const p = document.createElement("p");
    p.className = "note";
    p.textContent = message;
    container.replaceChildren(p);
  }

  function SigmaClass() {
    const S = window.Sigma;
    if (typeof S === "function") return S;
    return S && (S.Sigma || S.default);
  }

  // Names as pages show them: without bidirectional embeddings, overrides and isolates
  // (U+202A-U+202E, U+2066-U+2069), which would reorder the text around them; the server's
  // templates drop them the same way (bioconnect.web.rendering.display_text).
  const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
  function shown(text) {
    return text == null ? "" : String(text).replace(BIDI_CONTROLS, "");
  }

  function shorten(text, most) {
    text = shown(text);
    return text.length > most ? `${text.slice(0, most - 1).trimEnd()}…` : text;
  }

  function build(detail) {
    // Partners sit on an ellipse as wide as the container allows, so labels have room.
    const stretch = Math.min(2.2, Math.max(1, 0.7 * (container.clientWidth / Math.max(container.clientHeight, 1))));
    const org = detail.organisation || {};
    const centre = String(org.id);
    const graph = new graphology.Graph({ type: "undirected" });
    const partners = (detail.partners || [])
      .filter((p) => p && p.id && String(p.id) !== centre)
      .slice(0, MAX_PARTNERS);
    const most = Math.max(1, ...partners.map((p) => Number(p.shared_projects) || 0));
    graph.addNode(centre, {
      x: 0,
      y: 0,
      size: 16,
      color: CENTRE,
      label: shorten(org.name || `PIC ${org.pic || centre}`, 40),
      forceLabel: true,
      zIndex: 2,
    });
    partners.forEach((p, i) => {
      const key = String(p.id);
      if (graph.hasNode(key)) return;
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(partners.length, 1);
      const shared = Number(p.shared_projects) || 0;
      graph.addNode(key, {
        x: stretch * Math.cos(angle),
        y: Math.sin(angle),
        size: 5 + 9 * Math.sqrt(shared / most),
        color: GROUP_COLOURS[p.stakeholder_group] || GROUP_COLOURS.other,
        label: `${shorten(p.name || `PIC ${p.pic || key}`, 30)}${p.country ? ` (${p.country})` : ""}`,
        zIndex: 1,
      });
      graph.addEdge(centre, key, {
        size: 0.8 + 4 * (shared / most),
        color: EDGE,
        label: `${shared} shared projects`,
      });
    });
    return graph;
  }

  async function start() {
    if (typeof window.graphology === "undefined" || !SigmaClass()) {
      fail("The graph library did not load; the partner table below lists the partners.");
      return;
    }
    container.dataset.state = "loading";
    let detail;
    try {
      const response = await fetch(`/api/v1/organisations/${encodeURIComponent(container.dataset.org)}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`The server answered ${response.status}.`);
      detail = await response.json();
    } catch (err) {
      fail(`The partners could not be loaded (${err.message}); the table below lists them.`);
      return;
    }
    const graph = build(detail);
    if (graph.order < 2) {
      fail("This organisation has no partners in the data.");
      return;
    }
    const Sigma = SigmaClass();
    let renderer;
    try {
      renderer = new Sigma(graph, container, {
        zIndex: true,
        labelRenderedSizeThreshold: 0,
        labelDensity: 2,
        labelGridCellSize: 120,
        labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
        labelColor: { color: "#1b1f24" },
        stagePadding: 40,
      });
    } catch (err) {
      fail(`The network cannot be drawn in this browser (${err.message}).`);
      return;
    }
    // Labels run to the right of their node: leave room for them on the right.
    const stretch = Math.max(...graph.mapNodes((n, a) => a.x));
    if (typeof renderer.setCustomBBox === "function" && stretch > 0) {
      renderer.setCustomBBox({ x: [-stretch, stretch * 1.45], y: [-1, 1] });
      renderer.refresh();
    }
    renderer.on("clickNode", ({ node }) => {
      if (node !== String(detail.organisation.id)) {
        window.location.assign(`/organisations/${encodeURIComponent(node)}`);
      }
    });
    renderer.on("enterNode", () => (container.style.cursor = "pointer"));
    renderer.on("leaveNode", () => (container.style.cursor = ""));
    window.bioconnectEgo = { graph, renderer };
    requestAnimationFrame(() => {
      container.dataset.nodeCount = String(graph.order);
      container.dataset.edgeCount = String(graph.size);
      container.dataset.state = "ready";
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
