"""How fast the network explorer draws a 10,000-organisation network in headless chromium.

The view is the whole EU H2020 network (every EU-27 country's organisations and their
partners), cut to the 10,000 strongest organisations and their 20,000 heaviest ties.
The server computes and caches it first (layout included, timed separately); then the
explorer page is opened ``--repeat`` times and the time from navigation start to the
first painted render (``data-render-ms``) is read.

The baseline is a bare page doing the same work with the same libraries: fetch the same
JSON, ``graph.import`` it into graphology and render it with sigma.js, nothing else.

Run from the project root, on a store that holds the H2020 data (``bioconnect ingest``):

    uv run python benchmarks/bench_network_view.py
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bioconnect.web.assets import VENDOR, build_assets

EU27 = "AT,BE,BG,CY,CZ,DE,DK,EE,EL,ES,FI,FR,HR,HU,IE,IT,LT,LU,LV,MT,NL,PL,PT,RO,SE,SI,SK"
QUERY = (
    f"countries={EU27}&scope=region_plus_partners&programme=H2020&max_nodes=10000&max_edges=20000"
)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

BARE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>bare</title>
<style>html,body,#g{margin:0;width:1280px;height:800px}</style></head><body><div id="g"></div>
<script src="graphology.umd.min.js"></script><script src="sigma.min.js"></script>
<script>
fetch("view.json").then(r => r.json()).then(data => {
  const g = new graphology.Graph({type: "undirected"});
  g.import(data);
  g.forEachNode((k, a) => { g.setNodeAttribute(k, "size", 2); });
  const r = new Sigma(g, document.getElementById("g"));
  requestAnimationFrame(() => {
    const el = document.getElementById("g");
    el.dataset.renderMs = String(performance.now());
    el.dataset.state = "ready";
  });
});
</script></body></html>"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _server(port: int) -> Iterator[None]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bioconnect", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/me", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def _static(folder: Path, port: int) -> Iterator[None]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        httpd.shutdown()


def _render_times(url: str, selector: str, repeat: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url)
            page.wait_for_selector(f'{selector}[data-state="ready"]', timeout=120_000)
            times.append(float(page.get_attribute(selector, "data-render-ms") or "nan"))
            page.close()
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    build_assets()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with _server(port):
        start = time.perf_counter()
        with urllib.request.urlopen(f"{base}/api/v1/network?{QUERY}", timeout=3600) as r:
            body = r.read()
        first = time.perf_counter() - start
        data = json.loads(body)
        start = time.perf_counter()
        urllib.request.urlopen(f"{base}/api/v1/network?{QUERY}", timeout=600).read()
        cached = time.perf_counter() - start
        ours = _render_times(f"{base}/network?{QUERY}", "#network-graph", args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "view.json").write_bytes(body)
        (folder / "index.html").write_text(BARE_PAGE, encoding="utf-8")
        for name in ("graphology.umd.min.js", "sigma.min.js"):
            shutil.copy(VENDOR / name, folder / name)
        static_port = _free_port()
        with _static(folder, static_port):
            bare = _render_times(f"http://127.0.0.1:{static_port}/", "#g", args.repeat)
    attributes = data["attributes"]
    o, b = statistics.median(ours), statistics.median(bare)
    print(f"Python {platform.python_version()}, {platform.machine()}, chromium headless")
    print(
        f"view: {attributes['n_nodes']:,} organisations, {attributes['n_edges']:,} ties drawn "
        f"(of {attributes['n_edges_all']:,}), {len(body) / 1e6:.1f} MB JSON"
    )
    print(f"server: first request (build, layout, cache) {first:.1f} s; cached {cached:.2f} s")
    print()
    print("| page | render after navigation start, median (ms) | runs (ms) |")
    print("|---|---|---|")
    print(f"| explorer (/network) | {o:.0f} | {', '.join(f'{t:.0f}' for t in ours)} |")
    print(f"| bare sigma.js page | {b:.0f} | {', '.join(f'{t:.0f}' for t in bare)} |")
    print(f"\nratio explorer / bare: {o / b:.2f}; goal: explorer under 3000 ms")


if __name__ == "__main__":
    main()
