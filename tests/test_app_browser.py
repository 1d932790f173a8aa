"""The teaching page in a real browser: ``se-sim app`` on a free localhost port, driven in
Debian's headless chromium by Playwright through the lesson the README describes.

Screenshots go to ``results/test-artifacts/`` (ignored by git), with the server's log.
Chart images are ``blob:`` URLs that the page replaces on every redraw, so reading one retries.
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from tests.conftest import BANG_SAO_THONG, ROOT

ARTIFACTS = ROOT / "results" / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT_S = 90
WAIT_MS = 60_000
DIGEST_JS = """async (selector) => {
  const img = document.querySelector(selector + " img");
  if (!img || !img.src.startsWith("blob:")) return null;
  try {
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, "0")).join("");
  } catch (error) { return null; }  // the blob was revoked by a redraw: try again
}"""
# A font is installed when text set in it, with monospace as the fallback, is wider or narrower
# than in monospace alone.
FONT_PRESENT_JS = """(family) => {
  const context = document.createElement("canvas").getContext("2d");
  const width = (font) => {
    context.font = font;
    return context.measureText("mmmwwwiiil ภาษาไทย").width;
  };
  return width(`32px ${family}, monospace`) !== width("32px monospace");
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> Path:
    """A scenario folder: the case, a smaller community, and a broken file."""
    folder = tmp_path_factory.mktemp("scenarios")
    shutil.copy(BANG_SAO_THONG, folder / BANG_SAO_THONG.name)
    case = yaml.safe_load(BANG_SAO_THONG.read_text(encoding="utf-8"))
    small = {**case, "name": "small_village", "households": {**case["households"], "count": 300}}
    (folder / "small_village.yaml").write_text(yaml.safe_dump(small), encoding="utf-8")
    (folder / "zz_broken.yaml").write_text("households:\n  cout: 5\n", encoding="utf-8")
    return folder / BANG_SAO_THONG.name


@contextmanager
def serve_app(arguments: list[str], log_name: str) -> Iterator[str]:
    """``se-sim app ARGUMENTS`` on a free localhost port, in its own process group, killed at the
    end whatever happens; yields its URL. The server's log goes to ARTIFACTS/``log_name``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    started = time.perf_counter()
    with (ARTIFACTS / log_name).open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "se_sim.cli", "app", *arguments, "--port", str(port)],
            stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True, cwd=ROOT)
        try:
            line = _first_line(server, "se-sim app:", START_TIMEOUT_S)
            print(f"\nse-sim app answered after {time.perf_counter() - started:.1f} s: {line}")
            yield f"http://127.0.0.1:{port}/"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


@pytest.fixture(scope="module")
def app_url(scenarios: Path) -> Iterator[str]:
    with serve_app([str(scenarios)], "server.log") as url:
        yield url


def _first_line(server: subprocess.Popen, prefix: str, timeout: float) -> str:
    watch = selectors.DefaultSelector()
    watch.register(server.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"se-sim app exited with {server.returncode}; see {ARTIFACTS}/server.log")
        if watch.select(timeout=0.5):
            line = server.stdout.readline()
            if line.startswith(prefix):
                return line.strip()
    pytest.fail(f"se-sim app did not answer within {timeout} s")


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-browser (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
            tab.set_default_timeout(WAIT_MS)
            tab.goto(app_url)
            tab.get_by_role("button", name="Reset").wait_for()
            yield tab
        finally:
            browser.close()


def digest(page, selector: str) -> str:
    """The bytes of the chart image under ``selector``, as a hash; retried across redraws."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        value = page.evaluate(DIGEST_JS, selector)
        if value:
            return value
        page.wait_for_timeout(200)
    pytest.fail(f"no chart image under {selector}")


def changed_digest(page, selector: str, before: str) -> str:
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        if (now := digest(page, selector)) != before:
            return now
        page.wait_for_timeout(250)
    pytest.fail(f"the image under {selector} did not change")


def counter(page, name: str) -> float:
    return float(page.locator(f".se-counter-{name}").text_content())


def wait_month(page, month: int) -> None:
    page.wait_for_function(
        f"document.querySelector('.se-counter-month')?.textContent === '{month}'")


def set_slider(page, name: str, value: float) -> None:
    """One click on the slider's track where ``value`` lies: a single change reaches the server
    (key presses send one change each, and under load the server's echoes can undo later ones)."""
    thumb = page.get_by_role("slider", name=name)
    low, high = (float(thumb.get_attribute(f"aria-value{end}")) for end in ("min", "max"))
    track = page.locator(".v-slider", has=thumb)
    box = track.bounding_box()
    track.click(position={"x": box["width"] * (value - low) / (high - low), "y": box["height"] / 2})
    page.wait_for_function(
        "([name, value]) => document.querySelector(`[role=slider][aria-label='${name}']`)"
        "?.getAttribute('aria-valuenow') === value", arg=[name, f"{value:g}"])


def choose(page, scenario: str) -> None:
    page.locator(".v-select").first.click()
    page.locator(".v-menu__content .v-list-item", has_text=scenario).click()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_a_lesson_in_the_browser(page) -> None:
    timings: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        timings[name] = time.perf_counter() - mark
        mark = time.perf_counter()

    # Reset first: the page starts from its scenario at month 0.
    page.get_by_role("button", name="Reset").click()
    wait_month(page, 0)
    fund_chart, network = digest(page, ".se-chart-fund"), digest(page, ".se-network")
    assert counter(page, "members") == 30  # the 30 founding leaders (source 000)
    lap("reset")

    # Three steps: the month, the counters and the pictures move.
    for _ in range(3):
        page.get_by_role("button", name="Step").click()
    wait_month(page, 3)
    page.get_by_text("3 of 36").wait_for()
    assert counter(page, "fund_inflow_total_thb") > 0 and counter(page, "revenue_thb") > 0
    assert counter(page, "garden_reach_households") > 0
    fund_chart = changed_digest(page, ".se-chart-fund", fund_chart)
    changed_digest(page, ".se-network", network)
    shot(page, "1-after-three-months")
    lap("steps")

    # A slider and a typed seed (it arrives as text) act on Reset: 8 ties a household, seed 7.
    set_slider(page, "Ties per household", 8)
    # Every slider shows its value in a box with its unit, and takes a typed number there.
    page.wait_for_function("parseFloat(document.querySelector('.se-knob-mean_degree "
                           ".se-knob-number input')?.value) === 8")
    page.locator(".se-knob-mean_degree").get_by_text("ties").first.wait_for()
    typed = page.locator(".se-knob-profit_share .se-knob-number input")
    typed.fill("0.4")
    typed.press("Enter")
    page.wait_for_function("document.querySelector(`[role=slider][aria-label='Profit share to "
                           "the fund']`)?.getAttribute('aria-valuenow') === '0.4'")
    seed = page.get_by_label("Seed (same seed, same run)")
    seed.fill("7")
    seed.press("Enter")
    page.get_by_role("button", name="Reset").click()
    wait_month(page, 0)
    settings = page.locator(".se-settings-charts")  # beside the charts, as well as above
    settings.get_by_text("Ties per household: 8,", exact=False).wait_for()
    settings.get_by_text("Profit share to the fund: 0.4,", exact=False).wait_for()
    settings.get_by_text("seed 7", exact=False).wait_for()
    lap("slider and seed")

    # Thai: the page, the knobs, the pages' tabs and the charts change language; a Thai font
    # is there.
    assert page.locator(".se-page-tab").all_text_contents() == ["Teacher", "Groups"]
    page.get_by_text("ไทย", exact=True).click()
    page.get_by_text("ชุมชนตอนนี้").wait_for()
    page.get_by_role("tab", name="กลุ่ม").wait_for()
    assert page.locator(".se-page-tab").all_text_contents() == ["ครู", "กลุ่ม"]
    page.get_by_role("slider", name="ความสัมพันธ์ต่อครัวเรือน").wait_for(state="attached")
    fund_chart = changed_digest(page, ".se-chart-fund", fund_chart)
    assert page.evaluate(FONT_PRESENT_JS, "Loma"), "the browser has no Loma (fonts-thai-tlwg)"
    shot(page, "2-thai")
    lap("thai")

    # The ensemble of the case with COVID-19: 10 runs, bands on the charts.
    set_slider(page, "จำนวนรอบ", 10)
    page.get_by_role("button", name="เริ่มรันซ้ำ").click()
    page.locator(".se-ensemble-done").get_by_text("เสร็จแล้ว 10 รอบ", exact=False).wait_for()
    fund_chart = changed_digest(page, ".se-chart-fund", fund_chart)
    lap("ensemble with COVID-19")

    # COVID-19 off, Reset, ensemble again: the earlier band stays in grey for comparison.
    page.get_by_text("วิกฤตโควิด-19", exact=True).click()
    page.get_by_role("button", name="Reset").click()
    settings.get_by_text("วิกฤตโควิด-19: ปิด", exact=False).wait_for()
    earlier = page.get_by_text("ผลรันซ้ำครั้งก่อน (วิกฤตโควิด-19: เปิด)", exact=False)
    earlier.wait_for()
    page.get_by_role("button", name="เริ่มรันซ้ำ").click()
    page.locator(".se-ensemble-done").wait_for()
    changed_digest(page, ".se-chart-fund", fund_chart)
    assert earlier.is_visible(), "the earlier (COVID-19 on) band went away"
    shot(page, "3-covid-off-against-on")
    lap("ensemble without COVID-19")

    # A household's story: pick a newcomer member.
    page.get_by_role("button", name="สมาชิกที่เป็นผู้อยู่อาศัยใหม่").click()
    page.locator(".se-story").get_by_text("ผู้อยู่อาศัยใหม่", exact=False).first.wait_for()
    lap("story")

    # Play runs month after month until paused.
    page.get_by_role("button", name="▶").click()
    page.wait_for_function("Number(document.querySelector('.se-counter-month')?.textContent) >= 1")
    page.get_by_role("button", name="❚❚").click()
    lap("play")

    # Every browser tab has its own community: a new tab starts at month 0, in English.
    other = page.context.new_page()
    other.goto(page.url)
    other.get_by_text("The community now").wait_for()
    assert counter(other, "month") == 0 and counter(page, "month") >= 1
    other.close()
    lap("second tab")

    # Scenarios from the same folder: a broken one is refused in one line, a good one loads.
    choose(page, "zz_broken.yaml")
    page.get_by_text("เปิดไฟล์ zz_broken.yaml ไม่ได้", exact=False).wait_for()
    page.get_by_text("households.cout: unknown field", exact=False).wait_for()
    choose(page, "small_village.yaml")
    settings.get_by_text("small_village: ", exact=False).wait_for()
    wait_month(page, 0)
    lap("scenarios")
    print("browser steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
