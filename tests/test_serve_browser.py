"""``kg serve``'s web face in a real browser (headless Chromium through Debian's chromium-driver).

The home page, the query editor running a query against ``/query``, a search, a dereferenced IRI and
the report: each page renders, prints no console error and requests nothing outside 127.0.0.1;
screenshots go to the test artifacts folder (see ``tests/browser.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser import artifacts_dir, chromium, console_errors, requested_urls
from test_serve import REPO, Served, serving

from kg.ingest.pipeline import ingest
from kg.store import EmbeddedStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    location = tmp_path_factory.mktemp("serve-browser") / "store"
    with EmbeddedStore(location) as writer:
        assert {o.status for o in ingest([REPO / "articles"], writer).outcomes} == {"stored"}
    with serving(location) as server:
        yield server


def outside_requests(driver: object, served: Served) -> list[str]:
    """What the pages asked for anywhere but this server (inline ``data:`` URLs are no request)."""
    local = f"http://127.0.0.1:{served.port}/"
    return [u for u in requested_urls(driver) if not u.startswith((local, "data:"))]


def test_the_query_editor_runs_a_query_in_chromium(served: Served) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    with chromium() as driver:
        driver.get(served.base + "/")
        assert driver.title == "Positions KG · Positions KG"
        driver.find_element(By.LINK_TEXT, "SPARQL query editor").click()
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "query"))
        # A query of one's own: NATO's label, from the store, through /query.
        editor = driver.find_element(By.ID, "query")
        editor.clear()
        editor.send_keys(
            "SELECT ?label WHERE { <https://w3id.org/positions-kg/id/actor/nato> "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
        )
        driver.find_element(By.ID, "run").click()
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#answer tbody tr"))
        assert [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#answer tbody td")] == ["NATO @en"]
        assert driver.find_element(By.ID, "state").text.startswith("1 row(s) in ")
        # A shipped named query picked from the examples.
        examples = Select(driver.find_element(By.ID, "examples"))
        names = [o.text for o in examples.options]
        assert "who-said-what" in names
        examples.select_by_visible_text("who-said-what")
        assert "SELECT" in driver.find_element(By.ID, "query").get_attribute("value")
        driver.find_element(By.ID, "run").click()
        WebDriverWait(driver, 60).until(lambda d: "row(s) in" in d.find_element(By.ID, "state").text)
        rows = driver.find_elements(By.CSS_SELECTOR, "#answer tbody tr")
        assert len(rows) >= 5 and any("Rutte" in r.text for r in rows)
        driver.save_screenshot(str(artifacts_dir() / "serve-query-editor.png"))
        # A query that does not parse: the server's message, shown as text.
        editor = driver.find_element(By.ID, "query")
        editor.clear()
        editor.send_keys("SELECT WHERE {")
        driver.find_element(By.ID, "run").click()
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results pre.error"))
        assert "the query does not parse" in driver.find_element(By.CSS_SELECTOR, "#results pre.error").text
        assert driver.find_element(By.ID, "state").text.startswith("HTTP 400")
        errors = [e for e in console_errors(driver) if "400 (Bad Request)" not in e]  # the one we asked for
        assert errors == []
        assert outside_requests(driver, served) == []


def test_search_an_iri_and_the_report_in_chromium(served: Served) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium() as driver:
        driver.get(served.base + "/search")
        box = driver.find_element(By.NAME, "q")
        box.send_keys("defensive strikes")
        box.submit()
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "mark"))
        assert any("defensive" in m.text.lower() for m in driver.find_elements(By.CSS_SELECTOR, "mark"))
        driver.save_screenshot(str(artifacts_dir() / "serve-search.png"))
        driver.get(served.base + "/id/actor/nato")
        assert driver.find_element(By.TAG_NAME, "h1").text == "NATO"
        driver.find_element(By.CSS_SELECTOR, 'a[href="/ontology#InternationalOrganization"]').click()
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "InternationalOrganization"))
        driver.get(served.base + "/report?actor=nato")
        WebDriverWait(driver, 60).until(
            lambda d: d.execute_script("return document.querySelectorAll('.kg-chart svg').length") >= 1
        )
        assert "NATO" in driver.find_element(By.TAG_NAME, "body").text
        driver.save_screenshot(str(artifacts_dir() / "serve-report.png"))
        assert console_errors(driver) == []
        assert outside_requests(driver, served) == []
