"""Headless Chromium for the explorer's browser test and screenshots (optional: needs selenium).

The system Chromium and ChromeDriver (Debian packages ``chromium`` and ``chromium-driver``) are
used directly (``Service(path)``), so Selenium never tries to download a driver. The flags keep
Chromium off the network (the test machines have none) and start it with a fresh profile.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

__all__ = ["CHROMIUM_FLAGS", "find_browser", "headless_chromium", "BrowserUnavailable"]

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars")

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserUnavailable(RuntimeError):
    """No usable Chromium/ChromeDriver pair or no selenium."""


def find_browser() -> tuple[str, str]:
    """``(chromium, chromedriver)`` paths (``FTHEORY_CHROMIUM`` / ``FTHEORY_CHROMEDRIVER`` override).

    Raises :class:`BrowserUnavailable` naming what is missing.
    """
    browser = shutil.which(os.environ.get("FTHEORY_CHROMIUM", "")) if os.environ.get("FTHEORY_CHROMIUM") \
        else next(filter(None, map(shutil.which, _BROWSERS)), None)
    driver = shutil.which(os.environ.get("FTHEORY_CHROMEDRIVER") or "chromedriver")
    if not browser or not driver:
        missing = " and ".join(n for n, p in (("chromium", browser), ("chromedriver", driver)) if not p)
        raise BrowserUnavailable(f"{missing} not found (Debian: apt-get install chromium chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        raise BrowserUnavailable("selenium is not installed (pip install 'ftheory[test]')") from None
    return browser, driver


@contextlib.contextmanager
def headless_chromium(width=1280, height=1000, scale=1.0):
    """A Selenium ``webdriver.Chrome`` on headless Chromium with a throw-away profile."""
    browser, driver_path = find_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ftheory-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={int(width)},{int(height)}")
    options.add_argument(f"--force-device-scale-factor={scale:g}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console messages for the tests
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
