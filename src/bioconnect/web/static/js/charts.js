// Vega-Lite charts: every element with data-vega-spec="<id>" gets the spec held in
// <script type="application/json" id="<id>"> (the dashboard's #atlas-chart, the plan's
// timeline, matrix and priorities). Each chart's state is in its data-state attribute:
// loading, ready, empty or error.
//
// The page's Content-Security-Policy has no 'unsafe-eval', so Vega must not compile
// expressions with new Function(): `ast: true` makes Vega keep expressions as syntax
// trees, and vega-interpreter (vendor/vega-interpreter.js) evaluates them.
(function () {
  "use strict";

  const FALLBACK = "; the table on this page has the same figures.";

  function fail(target, message) {
    target.dataset.state = "error";
    const p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = message + FALLBACK;
    target.replaceChildren(p);
  }

  function draw(target) {
    const source = document.getElementById(target.dataset.vegaSpec || "");
    if (!source) {
      fail(target, "The chart has no data");
      return;
    }
    if (typeof window.vegaEmbed !== "function") {
      fail(target, "The chart library did not load");
      return;
    }
    let spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (err) {
      fail(target, "The chart could not be read");
      return;
    }
    if (!spec || typeof spec !== "object" || Object.keys(spec).length === 0) {
      target.dataset.state = "empty";
      return;
    }
    target.dataset.state = "loading";
    const interpreter = window.vegaInterpreter && window.vegaInterpreter.expressionInterpreter;
    const options = {
      ast: true,
      actions: false,
      renderer: "svg",
      tooltip: true,
    };
    if (interpreter) options.expr = interpreter;
    window
      .vegaEmbed(target, spec, options)
      .then(function (result) {
        target.dataset.state = "ready";
        window.bioconnectCharts = window.bioconnectCharts || {};
        window.bioconnectCharts[target.id] = result.view;
        if (target.id === "atlas-chart") window.bioconnectChart = result.view;
      })
      .catch(function (err) {
        console.error(err);
        fail(target, "The chart could not be drawn");
      });
  }

  function render() {
    document.querySelectorAll("[data-vega-spec]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
