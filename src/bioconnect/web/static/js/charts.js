// Dashboard chart: renders the Vega-Lite spec embedded in
// <script type="application/json" id="atlas-chart-spec"> into #atlas-chart.
//
// The page's Content-Security-Policy has no 'unsafe-eval', so Vega must not compile
// expressions with new Function(): `ast: true` makes Vega keep expressions as syntax
// trees, and vega-interpreter (vendor/vega-interpreter.js) evaluates them.
(function () {
  "use strict";

  function fail(target, message) {
    target.dataset.state = "error";
    const p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    target.replaceChildren(p);
  }

  function render() {
    const target = document.getElementById("atlas-chart");
    const source = document.getElementById("atlas-chart-spec");
    if (!target || !source) return;
    if (typeof window.vegaEmbed !== "function") {
      fail(target, "The chart library did not load; the table below has the same figures.");
      return;
    }
    let spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (err) {
      fail(target, "The chart could not be read; the table below has the same figures.");
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
        window.bioconnectChart = result.view;
      })
      .catch(function (err) {
        console.error(err);
        fail(target, "The chart could not be drawn; the table below has the same figures.");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
