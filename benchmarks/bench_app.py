"""How long the teaching page takes for one STEP, measured in Debian's headless chromium.

Starts ``se-sim app`` on the Bang Sao Thong case (1,000 households), presses Reset, then STEP
``--steps`` times, each time waiting until the page shows the new month and every chart image
is in place, and prints the seconds per month. A measurement, not a test: the figure depends on
the machine and on what else runs on it (say so when you report it).
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
            page = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
            page.set_default_timeout(120_000)
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("button", name="Reset").click()
            page.wait_for_function("document.querySelector('.se-counter-month')?.textContent"
                                   " === '0'")
            seconds = []
            for month in range(1, args.steps + 1):
                start = time.perf_counter()
                page.get_by_role("button", name="Step").click()
                page.wait_for_function(
                    f"document.querySelector('.se-counter-month')?.textContent === '{month}' "
                    "&& [...document.querySelectorAll('.se-chart img, .se-network img')]"
                    ".every(img => img.complete && img.src.startsWith('blob:'))")
                seconds.append(time.perf_counter() - start)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"STEP at 1,000 households: median {statistics.median(seconds):.2f} s a month, "
          f"max {max(seconds):.2f} s over {len(seconds)} months "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
