// Plan editor: suggest organisations from the atlas while the lead's name is typed.
//
// The name input carries data-org-lookup="<id of the atlas id input>" and a <datalist>.
// Suggestions come from /api/v1/organisations?q=; choosing one fills in its atlas id.
(function () {
  "use strict";

  // Names as pages show them: without bidirectional embeddings, overrides and isolates
  // (U+202A-U+202E, U+2066-U+2069), which would reorder the text around them; the server's
  // templates drop them the same way (bioconnect.web.rendering.display_text).
  const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
  function shown(text) {
    return text == null ? "" : String(text).replace(BIDI_CONTROLS, "");
  }

  function attach(input) {
    const idInput = document.getElementById(input.dataset.orgLookup || "");
    const list = input.list;
    if (!idInput || !list) return;
    const known = new Map();
    let timer = null;
    let asked = "";

    function fill(items) {
      known.clear();
      const options = items.map(function (org) {
        const option = document.createElement("option");
        const label = shown(org.name || org.id);
        option.value = label;
        option.textContent = [org.country, org.city].filter(Boolean).join(", ");
        known.set(label, org.id);
        return option;
      });
      list.replaceChildren.apply(list, options);
    }

    function lookup() {
      const q = input.value.trim();
      if (q.length < 3 || q === asked) return;
      asked = q;
      fetch("/api/v1/organisations?limit=8&q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.json() : { items: [] };
        })
        .then(function (page) {
          if (input.value.trim() === q) fill(page.items || []);
        })
        .catch(function () {
          fill([]);
        });
    }

    input.addEventListener("input", function () {
      const id = known.get(input.value);
      if (id) {
        idInput.value = id;
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(lookup, 250);
    });
  }

  function start() {
    document.querySelectorAll("input[data-org-lookup]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
