"""The admin in Arabic, in headless Chromium: right to left, and no English interface text.

A monitor signs in, chooses العربية with the header's switcher, and opens the admin's index, the
incident form, the violations list and an incident's page of the demo scenario. Screenshots go to BROWSER_SCREENSHOTS
(default var/screenshots/), named ar-*.png.
"""

import re

import pytest
from django.core.management import call_command

from incidents.models import Incident
from tests.i18n.test_admin_pages_in_arabic import data_words
from tests.reports.test_dashboard_browser import browser, log_in, page_errors, screenshot  # noqa: F401
from tracker import services

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 1366, 900

# Latin words an Arabic page may show besides the stored data (tests.i18n.test_admin_pages_in_arabic.
# data_words): the demo's slugs and codes, the username, the other
# language's name in the switcher, and technical codes staff type as they are (HXL/GeoJSON field
# names, dataset names, the 2FA device kind, the clause numbering's "a").
ALLOWED_LATIN = {
    "root",
    "English",
    "astana",
    "sochi",
    "moscow",
    "admin1",
    "admin2",
    "acled",
    "ucdp",
    "TOTP",
    "km",
    "M4",  # the highways, named so in Arabic too
    "M5",
    "Leaflet",  # the map library, credited in its corner
}


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    services.scan_violations(full=True)


@pytest.fixture
def monitor_in_arabic(browser, live_server, superuser, demo):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    superuser.set_password("pw")
    superuser.save()
    browser.set_window_size(WIDTH, HEIGHT)
    log_in(browser, live_server, "root")
    browser.find_element(By.CSS_SELECTOR, ".language-switcher button[value=ar]").click()
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.documentElement.dir") == "rtl"
    )
    return browser


def english_words(driver, skip=()):
    """Runs of Latin letters in the page's visible text, outside the allowed data and codes."""
    text = driver.execute_script(
        """
        const skip = arguments[0];
        const body = document.body.cloneNode(true);
        for (const selector of skip) body.querySelectorAll(selector).forEach(e => e.remove());
        // Values typed in fields and options of <select> are data, not interface text.
        body.querySelectorAll("select, textarea, input").forEach(e => e.remove());
        document.body.appendChild(body); body.style.position = "absolute"; body.style.left = "-99999px";
        const text = body.innerText; body.remove();
        return text;
        """,
        list(skip),
    )
    # CSS may upper-case a word (the username): compare without case.
    allowed = {word.lower() for word in ALLOWED_LATIN | data_words()}
    return sorted({word for word in re.findall(r"[A-Za-z][A-Za-z0-9]+", text) if word.lower() not in allowed})


def check_arabic_page(driver, name, skip=()):
    assert driver.execute_script("return document.documentElement.dir") == "rtl"
    assert driver.execute_script("return document.documentElement.lang") == "ar"
    screenshot(driver, name)
    assert english_words(driver, skip) == []
    assert page_errors(driver) == []


def test_the_admin_in_arabic(monitor_in_arabic, live_server, superuser):
    from selenium.webdriver.support.ui import WebDriverWait

    driver = monitor_in_arabic
    assert superuser.preference.language == "ar"  # the switcher stored the choice

    driver.get(f"{live_server.url}/admin/")
    check_arabic_page(driver, "ar-1-admin-index.png")
    assert "الاتفاقات والحوادث والالتزام" in driver.page_source

    driver.get(f"{live_server.url}/admin/incidents/incident/add/")
    WebDriverWait(driver, 20).until(
        lambda d: (
            d.execute_script("return document.querySelector('.map-picker').dataset.ready") or page_errors(d)
        )
    )
    # The map's controls are mirrored: zoom on the right, the legend on the left.
    zoom = driver.execute_script(
        "return !!document.querySelector('.leaflet-top.leaflet-right .leaflet-control-zoom')"
    )
    legend = driver.execute_script("return !!document.querySelector('.leaflet-top.leaflet-left .map-legend')")
    assert zoom and legend
    check_arabic_page(driver, "ar-2-incident-form.png")
    assert "حدّد على الخريطة" in driver.page_source

    driver.get(f"{live_server.url}/admin/tracker/violation/")
    check_arabic_page(driver, "ar-3-violations-list.png")
    assert "سراقب" in driver.page_source  # the demo's place names, shown in Arabic

    saraqib = Incident.objects.filter(place_name__startswith="Saraqib", violations__isnull=False).first()
    driver.get(f"{live_server.url}/admin/incidents/incident/{saraqib.pk}/change/")
    WebDriverWait(driver, 20).until(
        lambda d: (
            d.execute_script("return document.querySelector('.map-picker').dataset.ready") or page_errors(d)
        )
    )
    check_arabic_page(driver, "ar-4-incident-page.png")
    panel = driver.execute_script("return document.querySelector('.violations-panel').innerText")
    assert "الانتهاكات التي وجدها المحرك" in panel and "تأكيد" in panel
