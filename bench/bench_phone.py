"""The strategy page's first screen on a phone connection: a board member opening the One Plan on a mobile network.

gunicorn serves the product as deployed (production settings, compressed static files, Redis for the cache
and sessions where there is a redis-server), as bench_load does, on a database of its own. Debian's Chromium
opens the strategy page at a phone's size (390 × 844) on the connection and processor Lighthouse takes for a
phone: 150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up, the processor four times slower than this machine's.
Each visit is a first one (a new browser context: nothing cached); then one more from the same context, as the
next day's visit finds its stylesheet and scripts kept. For each: when the first text is drawn (first
contentful paint), when the largest element of the first screen is (largest contentful paint: the first screen
is there), the load event, and the bytes that crossed the network. Median of BENCH_PHONE_RUNS (5).

The target: the first screen within 2 s on that connection.

    bin/with-db python bench/bench_phone.py
"""

from __future__ import annotations

import os
import statistics

import benchlib
from bench_load import one_plan_served, served_by, session_for

RUNS = int(os.environ.get("BENCH_PHONE_RUNS", "5"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
# Lighthouse's phone: the connection and the processor it throttles a page's load to.
CONNECTION = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8, "uploadThroughput": 750 * 1024 / 8}
CPU_SLOWDOWN = 4
TARGET_SECONDS = 2.0

# The paints, the load event and the bytes the document and everything it fetched took on the network.
FIGURES = """() => new Promise(resolve => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  const bytes = [nav, ...performance.getEntriesByType("resource")].reduce((sum, e) => sum + (e.transferSize || 0), 0);
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    resolve({fcp: paint ? paint.startTime : null, lcp: entries[entries.length - 1].startTime,
             load: nav.loadEventEnd, bytes, html: nav.transferSize});
  }).observe({type: "largest-contentful-paint", buffered: true});
})"""


def visit(context, url: str) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", CONNECTION)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        raise SystemExit(f"{url} answered {response.status if response else 'nothing'}, not 200")
    figures = page.evaluate(FIGURES)
    page.close()
    return figures


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        print(f"The phone's first screen: not measured, there is no Chromium at {CHROMIUM} (make install-system installs it).")
        return
    server, port, strategy, people = one_plan_served()
    address = f"http://127.0.0.1:{port}/strategies/{strategy.pk}/"
    cookie = {"name": "sessionid", "value": session_for(people["board"]), "url": f"http://127.0.0.1:{port}/"}
    first, again = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            visit(browser.new_context(viewport=PHONE), address)  # the server's first build of the page and its caches
            for _ in range(RUNS):
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
                context.add_cookies([cookie])
                first.append(visit(context, address))
                again.append(visit(context, address))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    def row(label: str, visits: list[dict]) -> list[object]:
        median = {key: statistics.median(v[key] for v in visits) for key in ("fcp", "lcp", "load", "bytes", "html")}
        return [label, f"{median['fcp']:.0f}", f"{median['lcp']:.0f}", f"{median['load']:.0f}", f"{median['bytes'] / 1024:.0f}"]

    benchlib.table(
        f"The strategy page on a phone (390 × 844; 150 ms, 1.6 Mbit/s down; processor {CPU_SLOWDOWN}× slower), "
        f"a board member, median of {RUNS}; gunicorn {served_by()}",
        ["visit", "first text ms", "first screen ms", "load ms", "KiB on the network"],
        [row("first visit (nothing cached)", first), row("next visit (stylesheet and scripts kept)", again)],
    )
    html = statistics.median(v["html"] for v in first) / 1024
    benchlib.target(
        "strategy page's first screen on a phone connection, first visit",
        statistics.median(v["lcp"] for v in first) / 1000,
        TARGET_SECONDS,
        "s",
        baseline=f"{statistics.median(v['bytes'] for v in first) / 1024:.0f} KiB in all, the page itself {html:.0f} KiB",
    )


if __name__ == "__main__":
    main()
