"""What the browser tests share: Debian's Chromium driven by Playwright, where screenshots go,
and a page that records the JavaScript errors it meets (each test asserts there are none)."""

import os
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def launch(playwright):
    """Chromium, headless, as every browser test runs it."""
    SHOTS.mkdir(exist_ok=True)
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


def new_page(browser):
    """A page in a new English context at 1280×900; its JavaScript errors in ``page.errors``."""
    ctx = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, url, name, password):
    """Sign ``page`` in as ``name`` on the login form, as a person would, and wait until it says so."""
    from playwright.sync_api import expect  # noqa: PLC0415 - (imported by the browser tests only)

    page.goto(f"{url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("form.record button[type=submit]")
    expect(page.locator(".signed-in")).to_contain_text(name)
    return page
