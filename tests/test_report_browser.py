"""The report file in a real browser (headless Chromium): the seed's cells, a click that marks the
quote in the article text, no console error, no request outside the file; a screenshot is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import artifacts_dir, chromium, console_errors, requested_urls

from kg.read.report import render_report
from kg.store import EmbeddedStore

pytestmark = pytest.mark.slow


def test_the_report_file_in_chromium(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = tmp_path / "report.html"
    page.write_text(render_report(seed_store), encoding="utf-8")
    with chromium() as driver:
        driver.get(page.as_uri())
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.querySelectorAll('.kg-chart svg').length") == 3
        )
        # The charts are drawn: the matrix names its holders, with a symbol per cell.
        matrix = driver.find_element(By.CSS_SELECTOR, "#chart-matrix svg")
        assert {"NATO", "United Kingdom", "Germany", "France", "Mark Rutte"} <= set(matrix.text.split("\n"))
        symbols = driver.find_elements(By.CSS_SELECTOR, "#chart-matrix svg g.mark-symbol.role-mark path")
        assert len(symbols) == 15
        # The seed's cells in the table: NATO refuses participation; the UK authorises base use
        # with its purpose condition.
        nato = driver.find_element(By.XPATH, "//tr[th='NATO']//button")
        assert "refuses participation" in nato.text
        basing = driver.find_element(
            By.XPATH,
            "//button[@aria-label=\"United Kingdom — US forces' use of British bases for strikes on Iranian missile "
            'sites: authorises"]',
        )
        assert basing.text.split() == ["▲", "authorises", "P", "TS"]
        basing.click()
        evidence = driver.find_element(By.ID, "kg-evidence")
        assert 'purpose (restriction): only for what the UK describes as defensive strikes, a "defensive measure"' in (
            evidence.text
        )
        marks = [m.text for m in evidence.find_elements(By.CSS_SELECTOR, ".kg-text mark")]
        assert "defensive measure" in marks
        assert any(m.startswith("has authorized the use of its military bases") for m in marks)
        driver.find_element(By.XPATH, "//tr[th='NATO']//button").click()
        assert "absolutely no plans whatever" in driver.find_element(By.ID, "kg-evidence").text
        # A click on a symbol of the chart shows the view of its cell too.
        shown = set()
        for symbol in symbols:
            symbol.click()
            shown.add(driver.find_element(By.CSS_SELECTOR, "#kg-evidence h3").text)
        assert "United Kingdom — US forces' use of British bases for strikes on Iranian missile sites" in shown
        assert len(shown) == 15
        driver.save_screenshot(str(artifacts_dir() / "report-seed.png"))
        assert console_errors(driver) == []
        outside = [u for u in requested_urls(driver) if u != page.as_uri() and not u.startswith("data:")]
        assert outside == []
