"""How long the teaching page takes for one STEP, measured in Debian's headless chromium.

Starts ``se-sim app`` on the Bang Sao Thong case (1,000 households), presses Reset and waits
until the server says it is idle and the page has been quiet for a second (Reset redraws every
picture, and the month counter shows 0 before it as after it), then presses STEP ``--steps``
times, each time waiting until the page shows the new month and every chart image is in place.
It prints the seconds per month two ways: from Playwright's click (which first checks that the
button can be clicked) and in the page, from the button's click to the last picture in place.
A measurement, not a test: the figure depends on the machine and on what else runs on it (say
so when you report it).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


# Notes when the page last heard from the server and whether the server said it was busy
# (Solara's kernel status messages), to know when a redraw is over.
LISTEN = """
window.seLastMessage = performance.now();
window.seBusy = true;
const PageSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new PageSocket(...args);
  socket.addEventListener("message", (event) => {
    window.seLastMessage = performance.now();
    if (typeof event.data === "string" && event.data.includes('"execution_state"'))
      window.seBusy = !event.data.includes('"execution_state": "idle"');
  });
  return socket;
};
window.WebSocket.prototype = PageSocket.prototype;
Object.assign(window.WebSocket, PageSocket);
"""
MONTH_SHOWN = ("document.querySelector('.se-counter-month')?.textContent === '{month}' "
               "&& [...document.querySelectorAll('.se-chart img, .se-network img')]"
               ".every(img => img.complete && img.src.startsWith('blob:'))")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "bang_sao_thong.yaml"))
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "se_sim.cli", "app", args.scenario,
                               "--port", str(port)], stdout=subprocess.PIPE, text=True,
                              start_new_session=True, cwd=ROOT)
    try:
        while not server.stdout.readline().startswith("se-sim app:"):
            if server.poll() is not None:
                sys.exit("se-sim app did not start")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1800})
            context.add_init_script(LISTEN)
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("button", name="Reset").click()
            page.wait_for_function(MONTH_SHOWN.format(month=0))
            page.wait_for_function("!window.seBusy && performance.now() - window.seLastMessage"
                                   " > 1000")
            seconds, in_page = [], []
            for month in range(1, args.steps + 1):
                page.evaluate("""() => { window.seClicked = null;
                  for (const button of document.querySelectorAll('button'))
                    if (button.textContent.trim() === 'Step') button.addEventListener(
                        'click', () => { window.seClicked = performance.now(); },
                        {once: true, capture: true}); }""")
                start = time.perf_counter()
                page.get_by_role("button", name="Step").click()
                shown = page.wait_for_function(
                    f"({MONTH_SHOWN.format(month=month)}) && performance.now()")
                seconds.append(time.perf_counter() - start)
                in_page.append((shown.json_value() - page.evaluate("window.seClicked")) / 1000)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"STEP at 1,000 households over {len(seconds)} months "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    for name, values in (("from Playwright's click", seconds), ("in the page", in_page)):
        print(f"  {name}: median {statistics.median(values):.2f} s a month, "
              f"max {max(values):.2f} s ({' '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
