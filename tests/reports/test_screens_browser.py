"""The screens a monitor uses all day, on the demo scenario, in headless Chromium at 1366 x 900.

Screenshots go to BROWSER_SCREENSHOTS (default var/screenshots/) for a person to look at; the
assertions check what must be readable without them.
"""

import pytest
from django.core.management import call_command

from incidents.models import Incident
from tests.reports.test_dashboard_browser import browser, log_in, page_errors, screenshot  # noqa: F401
from tracker import services

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 1366, 900


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    services.scan_violations(full=True)


@pytest.fixture
def monitor(browser, live_server, superuser):  # noqa: F811
    superuser.set_password("pw")
    superuser.is_staff = True
    superuser.save()
    browser.set_window_size(WIDTH, HEIGHT)
    log_in(browser, live_server, "root")
    return browser


def wait_for(driver, script, timeout=20):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script) or page_errors(d))
    assert page_errors(driver) == []


def page_width(driver):
    return driver.execute_script("return document.documentElement.scrollWidth")


def test_the_incident_page_shows_its_violations(monitor, live_server, demo):
    saraqib = Incident.objects.filter(place_name__startswith="Saraqib", violations__isnull=False).first()
    monitor.get(f"{live_server.url}/admin/incidents/incident/{saraqib.pk}/change/")
    wait_for(monitor, "return document.querySelector('.map-picker').dataset.ready")
    screenshot(monitor, "1-incident-page.png")
    panel = monitor.execute_script("return document.querySelector('.violations-panel').innerText")
    assert "Violations found by the engine" in panel and "Sochi" in panel and "Confirm" in panel
    assert page_width(monitor) <= WIDTH


def test_the_violations_and_incident_lists_fit_the_screen(monitor, live_server, demo):
    monitor.get(f"{live_server.url}/admin/tracker/violation/")
    screenshot(monitor, "2-violations-list.png")
    assert page_width(monitor) <= WIDTH
    monitor.get(f"{live_server.url}/admin/incidents/incident/")
    screenshot(monitor, "2b-incidents-list.png")
    assert page_width(monitor) <= WIDTH


def test_the_sochi_agreement_page_is_readable(monitor, live_server, demo):
    from agreements.models import Agreement

    sochi = Agreement.objects.get(slug="sochi-2018")
    monitor.get(f"{live_server.url}/admin/agreements/agreement/{sochi.pk}/change/")
    screenshot(monitor, "3-sochi-agreement.png")
    monitor.execute_script("document.getElementById('clauses-group').scrollIntoView()")
    screenshot(monitor, "3b-sochi-agreement-clauses.png")
    assert page_width(monitor) <= WIDTH
    assert monitor.execute_script("return document.documentElement.scrollHeight") < 6000


@pytest.mark.parametrize(
    "query, name", [("", "4-sochi-dashboard.png"), ("?until=2019-04-30", "5-sochi-dashboard-until.png")]
)
def test_the_sochi_dashboard(monitor, live_server, demo, query, name):
    monitor.get(f"{live_server.url}/dashboard/sochi-2018/{query}")
    wait_for(monitor, "return document.body.dataset.dashboardReady === 'true'")
    screenshot(monitor, name)
    if query:
        assert "30 days to 30 Apr 2019" in monitor.page_source


def test_the_map_has_a_legend_and_labels(monitor, live_server, demo):
    monitor.get(f"{live_server.url}/dashboard/sochi-2018/?until=2019-04-30")
    wait_for(monitor, "return document.body.dataset.dashboardReady === 'true'")
    monitor.execute_script("document.getElementById('incident-map').scrollIntoView()")
    screenshot(monitor, "6-map-legend.png")
    legend = monitor.execute_script("return document.querySelector('#incident-map .map-legend').innerText")
    labels = monitor.execute_script("return document.querySelectorAll('#incident-map .area-label').length")
    attribution = monitor.execute_script(
        "return document.querySelector('.leaflet-control-attribution').innerHTML"
    )
    assert "demilitarized zone" in legend and "Incident breaching this agreement" in legend
    assert labels >= 2 and "<svg" not in attribution


def test_the_map_picker_finds_a_place_and_follows_clicks(monitor, live_server, demo):
    from selenium.webdriver.common.by import By

    monitor.get(f"{live_server.url}/admin/incidents/incident/add/")
    wait_for(monitor, "return document.querySelector('.map-picker').dataset.ready")
    monitor.find_element(By.CSS_SELECTOR, ".map-picker-search").send_keys("Khan Sheikhoun")
    wait_for(monitor, "return document.querySelectorAll('.map-picker-results li').length")
    monitor.find_element(By.CSS_SELECTOR, ".map-picker-results li").click()
    values = {
        n: monitor.find_element(By.ID, f"id_{n}").get_attribute("value")
        for n in ("place_name", "latitude", "longitude", "admin1", "admin2")
    }
    assert values == {
        "place_name": "Khan Shaykhun",
        "latitude": "35.44208",
        "longitude": "36.65095",
        "admin1": "Idlib",
        "admin2": "Maarat al-Numan",
    }

    monitor.execute_script("document.querySelector('.map-picker').scrollIntoView()")
    box = monitor.find_element(By.CSS_SELECTOR, ".map-picker-map")
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(monitor).move_to_element_with_offset(box, 40, 30).click().perform()
    wait_for(monitor, "return document.querySelector('.map-picker').dataset.lookups")
    assert monitor.find_element(By.ID, "id_latitude").get_attribute("value") != "35.44208"
    screenshot(monitor, "7-map-picker.png")
