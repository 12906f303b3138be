// Exposes vega-interpreter (published as an ES module only) as the global
// `vegaInterpreter`, so pages can load it with a plain <script> tag.
// Built by `npm run build` into build/vega-interpreter.js (see package.json).
import { expressionInterpreter } from "vega-interpreter";

globalThis.vegaInterpreter = { expressionInterpreter };
