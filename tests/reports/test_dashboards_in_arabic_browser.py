"""The dashboards and a report in Arabic, in headless Chromium: a reader who chose Arabic sees the
pages right to left and no English of the interface (only data: codes, and names with no Arabic).

Screenshots go to BROWSER_SCREENSHOTS (default var/screenshots/), printed for a person to look at.
"""

import datetime as dt
import re

import pytest

from agreements.models import Agreement, Deadline
from incidents.models import Incident
from reports import services
from tests.factories import ReportSubscriptionFactory
from tests.reports import arabic
from tests.reports.conftest import WEEK_END, WEEK_START
from tests.reports.test_dashboard_browser import (  # noqa: F401 (fixtures)
    CHART_STATE,
    browser,
    log_in,
    page_errors,
    screenshot,
)

pytestmark = pytest.mark.browser
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
# Latin that may stay on an Arabic page: file formats and time zones are codes, Leaflet a name, and
# the switcher names English in English.
CODES = {"HTML", "CSV", "JSON", "PDF", "UTC", "Asia", "Damascus", "Leaflet", "English"}
VISIBLE_TEXT = """
return Array.from(document.querySelectorAll('body, body *'))
  .filter(function (e) { return e.offsetParent !== null || e === document.body; })
  .map(function (e) { return Array.from(e.childNodes).filter(function (n) { return n.nodeType === 3; })
    .map(function (n) { return n.textContent; }).join(' '); })
  .join(' ');
"""


def english_left(text: str, data: list[str]) -> list[str]:
    """Latin words of the visible text once the data the test created is taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return sorted({word for word in LATIN_WORD.findall(text) if word not in CODES})


def data_values(week) -> list[str]:
    """What the fixture's records say in English and have no Arabic for: data, shown as written."""
    values = ["root", *Agreement.objects.values_list("slug", flat=True)]
    values += Agreement.objects.filter(title_ar="").values_list("title", flat=True)
    values += Deadline.objects.filter(description_ar="").values_list("description", flat=True)
    for incident in Incident.objects.values_list("place_name", "admin1", "admin2", "description"):
        values += [value for value in incident if value]
    return values


def choose_arabic(driver, live_server):
    """Sign in, then pick Arabic with the header's language switcher, as a reader would."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    log_in(driver, live_server, "root")

    def click_arabic(d):
        d.find_element(By.CSS_SELECTOR, ".language-switcher button[value=ar]").click()
        return True

    # The page after signing in may still be loading: click again if it replaced the button.
    WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException]).until(click_arabic)
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.documentElement.lang") == "ar"
    )


def test_a_reader_who_chose_arabic_sees_the_dashboard_and_a_report_right_to_left(
    browser,  # noqa: F811
    live_server,
    fixture_week,
    superuser,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    week = arabic.name_in_arabic(fixture_week)
    subscription = ReportSubscriptionFactory(agreement=week["agreement"], language="ar", name="تقرير أسبوعي")
    report, _ = services.generate_report(
        subscription, WEEK_START, WEEK_END, now=dt.datetime(2019, 4, 8, 6, 5, tzinfo=dt.UTC)
    )
    superuser.set_password("pw")
    superuser.save()
    data = data_values(week)
    choose_arabic(browser, live_server)

    browser.get(f"{live_server.url}/dashboard/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    assert browser.find_element(By.LINK_TEXT, arabic.AGREEMENT).is_displayed()
    print(f"\n{screenshot(browser, 'ar-reports-1-dashboards.png')}")
    assert english_left(browser.execute_script(VISIBLE_TEXT), data) == []

    browser.get(f"{live_server.url}/dashboard/sochi-2018/?days=30&until=2019-04-07")
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.body.dataset.dashboardReady") == "true" or page_errors(d)
    )
    assert page_errors(browser) == []
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    state = browser.execute_script(CHART_STATE)
    assert state["violations"]["painted"] > 1000 and state["map"]["areas"] == 1
    legend = browser.find_element(By.CSS_SELECTOR, "#incident-map .map-legend")
    zoom = browser.find_element(By.CSS_SELECTOR, "#incident-map .leaflet-control-zoom")
    # Mirrored: the zoom buttons on the right, the legend on the left; both in Arabic.
    assert zoom.location["x"] > legend.location["x"]
    assert arabic.ZONE in legend.text and "حادث يخرق هذا الاتفاق" in legend.text
    print(screenshot(browser, "ar-reports-2-dashboard-sochi-2018.png"))
    assert english_left(browser.execute_script(VISIBLE_TEXT), data) == []

    browser.get(f"{live_server.url}/dashboard/reports/{report.pk}/html/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    assert browser.find_element(By.TAG_NAME, "h1").text == report.title
    print(screenshot(browser, "ar-reports-3-report.png"))
    sources = ["SOHR bulletin"]  # a source's name is data
    assert english_left(browser.execute_script(VISIBLE_TEXT), data + sources) == []
