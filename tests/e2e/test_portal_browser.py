"""The portal home page in a real browser (Debian's Chromium), served by the devstack gateway.

The link checks fetch every link on the page from the gateway, so they prove that the portal and the
route table agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from tests.e2e.browser import SCREENSHOTS

pytestmark = pytest.mark.browser

JA_H1 = "事業者のための行政サービスを、ひとつの入口から"
EN_H1 = "Government services for businesses, in one place"
SERVICE_LINKS = {
    "gbizid": "oauth/.well-known/openid-configuration",
    "jgrants": "exp/v1/public/subsidies?keyword=IT",
    "gbizinfo": "hojin_search/openapi.json",
    "exchange": "exchange/openapi.json",
}
PAGES = {"ja": "", "en": "en/"}
# --color-neutral-solid-gray-800 from the vendored design tokens: the body text colour.
TOKEN_TEXT_COLOUR = "rgb(51, 51, 51)"


@dataclass
class PageProblems:
    """Everything that went wrong while a page loaded: failed or refused requests, script errors."""

    items: list[str] = field(default_factory=list)


def home(devstack_url: str, language: str = "ja") -> str:
    return devstack_url.rstrip("/") + "/" + PAGES[language]


@pytest.fixture
def page(chromium_page: Page) -> Page:
    return chromium_page


@pytest.fixture
def problems(page: Page) -> PageProblems:
    found = PageProblems()

    def on_response(response: Response) -> None:
        if response.status >= 400:
            found.items.append(f"{response.status} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            found.items.append(f"console: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("requestfailed", lambda request: found.items.append(f"failed {request.url}: {request.failure}"))
    page.on("pageerror", lambda error: found.items.append(f"script error: {error}"))
    return found


def test_given_a_new_visitor_when_opening_the_home_page_then_it_shows_in_japanese_with_the_four_services(
    page: Page, problems: PageProblems, devstack_url: str
) -> None:
    response = page.goto(home(devstack_url))

    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    expect(page).to_have_title("法人デジタルプラットフォーム")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("header")).to_contain_text("法人デジタルプラットフォーム")
    expect(page.locator("h1")).to_have_text(JA_H1)
    for service, href in SERVICE_LINKS.items():
        link = page.locator(f'[data-service="{service}"] a.service-link')
        expect(link).to_be_visible()
        assert link.get_attribute("href") == href
    expect(page.locator("a.service-link")).to_have_count(4)
    assert page.evaluate("getComputedStyle(document.body).color") == TOKEN_TEXT_COLOUR
    assert problems.items == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_given_each_page_when_reading_its_structure_then_landmarks_and_headings_are_in_order(
    page: Page, devstack_url: str, language: str
) -> None:
    page.goto(home(devstack_url, language))

    for landmark in ("body > header", "header nav", "body > main#main", "body > footer"):
        expect(page.locator(landmark)).to_have_count(1)
    levels: list[int] = page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
        "els => els.map(e => Number(e.tagName.substring(1)))"
    )
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(after - before <= 1 for before, after in pairwise(levels)), levels


def test_given_the_japanese_page_when_choosing_english_then_the_english_page_shows_and_japanese_comes_back(
    page: Page, problems: PageProblems, devstack_url: str
) -> None:
    page.goto(home(devstack_url))

    page.locator("header").get_by_role("link", name="English").click()

    expect(page).to_have_url(home(devstack_url, "en"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title("Corporate Digital Platform")
    expect(page.locator("header")).to_contain_text("Corporate Digital Platform")
    expect(page.locator("h1")).to_have_text(EN_H1)
    expect(page.locator("a.service-link")).to_have_count(4)

    page.locator("header").get_by_role("link", name="日本語").click()

    expect(page).to_have_url(home(devstack_url))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1")).to_have_text(JA_H1)
    assert problems.items == []


def test_given_english_was_chosen_when_the_home_page_is_opened_again_then_english_is_remembered(
    page: Page, devstack_url: str
) -> None:
    page.goto(home(devstack_url))
    page.locator("footer").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(home(devstack_url))

    expect(page).to_have_url(home(devstack_url, "en"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("header").get_by_role("link", name="日本語").click()
    page.goto(home(devstack_url))

    expect(page).to_have_url(home(devstack_url))
    expect(page.locator("html")).to_have_attribute("lang", "ja")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_given_each_page_when_every_link_on_it_is_fetched_then_each_answers_200(
    page: Page, devstack_url: str, language: str
) -> None:
    page.goto(home(devstack_url, language))
    hrefs: list[str] = page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
    in_page = [href for href in hrefs if "#" in href]
    elsewhere = sorted({href for href in hrefs if "#" not in href})

    for href in in_page:
        fragment = href.split("#", 1)[1]
        expect(page.locator(f"#{fragment}")).to_have_count(1)
    assert len(elsewhere) >= 10, elsewhere  # 4 services, their API specifications and health, the other language
    statuses = {href: page.request.get(href).status for href in elsewhere}
    assert {href: status for href, status in statuses.items() if status != 200} == {}


@pytest.mark.parametrize(("language", "switch_to"), [("ja", "en"), ("en", "ja")])
def test_given_a_keyboard_user_when_tabbing_from_the_top_then_skip_link_then_language_switch_get_focus(
    page: Page, devstack_url: str, language: str, switch_to: str
) -> None:
    page.goto(home(devstack_url, language))

    page.keyboard.press("Tab")

    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"

    page.keyboard.press("Tab")

    switch = page.locator(f"header a[data-lang-switch='{switch_to}']")
    expect(switch).to_be_focused()
    assert switch.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_given_each_page_when_shown_at_desktop_and_phone_widths_then_nothing_overflows_and_it_is_screenshot(
    page: Page, devstack_url: str, language: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(home(devstack_url, language))

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"portal-{language}-{width}.png"
    page.screenshot(path=str(path), full_page=True)

    assert scroll_width <= width
    assert path.stat().st_size > 0
