// Reports page: make a report without leaving the page, with its progress shown.
//
// Each form[data-report-form] posts as usual (so it works without JavaScript too). Here
// the post goes through fetch: while the report is made the form is aria-busy, its button
// disabled and its role=status line shows a <progress>; the answer is saved as a file,
// and the page's editions are then loaded again with the new one. A refusal (HTTP 4xx)
// answers the page with the problem and its fix, which replaces this page's content.
(function () {
  "use strict";

  function fileName(response) {
    const header = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : "report";
  }

  function save(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
  }

  function busy(form, on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = on;
    const shown = form.querySelector("[data-report-progress] > span");
    if (shown) shown.hidden = !on;
  }

  // Replace the page's <main> with the one of ``html`` and bring the notice to focus.
  function showPage(html) {
    const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
    const main = document.querySelector("main");
    if (!fresh || !main) return;
    main.replaceChildren.apply(main, Array.from(fresh.childNodes));
    const notice = main.querySelector("#report-notice [tabindex='-1']");
    if (notice) notice.focus();
  }

  function isFile(response) {
    const header = response.headers.get("Content-Disposition") || "";
    return response.ok && header.startsWith("attachment");
  }

  async function submit(form) {
    busy(form, true);
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
      });
    } catch (error) {
      busy(form, false);
      const line = form.querySelector("[data-report-progress]");
      if (line) line.textContent = "The server could not be reached. Nothing was made; try again.";
      return;
    }
    if (!isFile(response)) {
      // a refusal, or a sign-in page: show it in place of this page
      showPage(await response.text());
      return;
    }
    save(await response.blob(), fileName(response));
    const edition = response.headers.get("X-Report-Edition") || "";
    const page = await fetch("/reports?made=" + encodeURIComponent(edition), {
      credentials: "same-origin",
    });
    busy(form, false);
    showPage(await page.text());
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-report-form]");
    if (!form || form.getAttribute("aria-busy") === "true") return;
    event.preventDefault();
    submit(form);
  });
})();
