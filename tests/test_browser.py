"""The built book in a real browser: accessible, private, offline, printable and light.

Static checks of the HTML cannot see what a browser does: which addresses a
page really contacts, what its scripts store, what a keyboard user reaches,
what prints.  These tests serve the real book from 127.0.0.1 (and open it from
disk) in Debian's chromium, one browser for the whole session.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pypdf import PdfReader

from browser import (
    AXE_OPTIONS,
    CHROMIUM,
    CSP_RECORDER,
    INSTALL_CHROMIUM,
    LAUNCH_ARGS,
    PAGE_BYTES,
    StaticServer,
    axe_failures,
    is_offsite,
    require_chromium,
    site_pages,
)
from conftest import FIXTURES, ROOT, Build, run_build
from curriculum import accessibility, offline

LESSON = "lessons/6-8/sextortion-what-it-is-and-what-to-do.html"
#: One lesson per grade band: the pages a teacher opens first.
LESSONS = [
    "lessons/k-2/my-trusted-adults.html",
    "lessons/3-5/online-friends-and-people-we-know.html",
    LESSON,
    "lessons/9-12/financial-sextortion-know-the-script.html",
]
#: Printed in the print test: the shortest lesson (a page.pdf() costs about 0.2 s a page).
PRINTED = "lessons/k-2/my-trusted-adults.html"
SEXTORTION_LESSONS = {LESSON, "lessons/9-12/financial-sextortion-know-the-script.html"}
FIRST_LOAD_BUDGET = 1_000_000
NEXT_PAGE_BUDGET = 150_000
#: Site chrome that has no business on paper.
CHROME = [
    "#pst-skip-link",
    "#pst-header",
    ".bd-sidebar-primary",
    ".bd-sidebar-secondary",
    ".bd-header-article",
    "#pst-search-dialog",
    ".search-button-field",
    ".theme-switch-button",
    "#pst-back-to-top",
    ".prev-next-area",
    "button",
]
ANALYTICS = [
    "google-analytics",
    "googletagmanager",
    "gtag(",
    "plausible.io",
    "matomo",
    "segment.com",
    "hotjar",
]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for the whole session (a launch costs about half a second)."""
    executable = require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def server(real_book: Build) -> Iterator[StaticServer]:
    """The real book on a plain static server, as a school would host it."""
    with StaticServer(real_book.html) as served:
        yield served


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (empty cache, no storage) that records CSP violations."""
    fresh = browser.new_context()
    fresh.add_init_script(CSP_RECORDER)
    yield fresh
    fresh.close()


@dataclass
class Visit:
    """What one page did when a reader opened it."""

    name: str
    requests: list[str]
    csp_violations: list[str]
    axe: list[str]
    storage: list[str]
    sideways: int  # pixels a reader can scroll the page sideways at 320 px wide (0: none)


@pytest.fixture(scope="session")
def sweep(browser: Browser, server: StaticServer, real_book: Build) -> dict[str, Visit]:
    """Every page once, as a reader moving through the book: requests, CSP, axe and storage.

    One pass serves several tests, because axe is the slow part (0.1 to 2 s a
    page, mostly its colour-contrast rule). Each page is then narrowed to the
    narrowest phone's width (320 px) to see whether it scrolls sideways.
    """
    profile = browser.new_context()
    profile.add_init_script(CSP_RECORDER)
    page = profile.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    axe = Axe()
    visits = {}
    for name in site_pages(real_book.html):
        requests.clear()
        page.goto(server.url(name), wait_until="load")
        visits[name] = Visit(
            name=name,
            requests=list(requests),
            csp_violations=page.evaluate("window.__cspViolations"),
            axe=axe_failures(name, axe.run(page, options=AXE_OPTIONS).response),
            storage=page.evaluate(
                "[...Object.keys(localStorage), ...Object.keys(sessionStorage), document.cookie].filter(Boolean)"
            ),
            sideways=sideways_on_a_phone(page),
        )
    assert profile.cookies() == [], f"the book set cookies: {profile.cookies()}"
    profile.close()
    return visits


@pytest.fixture(scope="session")
def tabbed_lesson(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture book's lesson with a tab set and a closed dropdown (no real lesson has one yet)."""
    src = shutil.copytree(FIXTURES / "minibook", tmp_path_factory.mktemp("tabs") / "minibook")
    shutil.copytree(ROOT / "handouts", src / "handouts")
    lesson = src / "lessons" / "6-8" / "sample-lesson.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8")
        + "\n::::{tab-set}\n:::{tab-item} First way\nFIRST-TAB-TEXT for the class.\n:::\n"
        ":::{tab-item} Second way\nSECOND-TAB-TEXT for the class.\n:::\n::::\n\n"
        ":::{dropdown} More ideas\nDROPDOWN-TEXT behind a closed dropdown.\n:::\n",
        encoding="utf-8",
    )
    build = run_build(src)
    assert build.returncode == 0, build.output
    return build.html / "lessons" / "6-8" / "sample-lesson.html"


def sideways_on_a_phone(page: Page) -> int:
    """How far a reader can scroll the page sideways at 320 px wide (WCAG 1.4.10, Reflow), in pixels."""
    wide = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    scrolled = page.evaluate(
        "() => { window.scrollTo(100000, 0); const x = window.scrollX; window.scrollTo(0, 0); return x; }"
    )
    page.set_viewport_size(wide)
    return round(scrolled)


def visible(page: Page, selector: str) -> int:
    """How many elements matching ``selector`` are visible."""
    found = page.locator(selector)
    return sum(1 for index in range(found.count()) if found.nth(index).is_visible())


def pdf_text(data: bytes) -> str:
    """The text of a PDF, with whitespace collapsed (lines break anywhere on paper)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def search(page: Page, words: str) -> set[str]:
    """Search the way a reader does (the search dialog), and return the result pages."""
    page.locator(".search-button-field").first.click()
    field = page.locator("#pst-search-dialog input[name=q]")
    field.fill(words)
    field.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    page.locator("#search-results p.search-summary", has_text="Search finished").wait_for()
    root = page.url.split("search.html")[0]
    return {
        href.split(root, 1)[-1].split("#")[0].split("?")[0]
        for href in page.eval_on_selector_all(
            "#search-results ul.search li a", "links => links.map(a => a.href)"
        )
    }


# ---------------------------------------------------------------- the browser itself


def test_debian_chromium_is_installed():
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: install it with `{INSTALL_CHROMIUM}`"


# ---------------------------------------------------------------- accessibility


def test_every_page_passes_axe_wcag_2_1_a_and_aa(sweep):
    failures = [line for visit in sweep.values() for line in visit.axe]
    assert len(sweep) > 40, "the sweep visited every page, handout print pages included"
    assert any(name.startswith("handouts/") for name in sweep)
    assert not failures, f"{len(failures)} axe violation(s):\n" + "\n".join(failures)


def test_no_page_scrolls_sideways_on_a_phone(sweep):
    """A parent opens the family letter on a phone, a teen the response card: a long address in the
    sources, a wide table or a wallet-sized card must not make them scroll sideways to read. 320 px is
    the width WCAG 2.1 asks content to reflow to (1.4.10); a table or code block scrolls in its own box."""
    wide = [f"{name}: {visit.sideways} px" for name, visit in sweep.items() if visit.sideways]
    assert not wide, "pages that scroll sideways at 320 px wide:\n" + "\n".join(wide)


def test_keyboard_user_reaches_the_lesson_through_the_skip_link(context, server):
    page = context.new_page()
    page.goto(server.url(LESSON))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content", f"the first Tab on {LESSON} reached {focused!r}"
    assert page.locator("#pst-skip-link a").is_visible(), "the focused skip link is visible"
    page.keyboard.press("Enter")
    page.wait_for_url("**#main-content", timeout=5000)  # the jump lands a moment after the key
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#main-content') !== null"), (
        f"after the skip link, Tab on {LESSON} left the main content"
    )
    for _ in range(10):  # past the few article buttons, into the lesson itself
        if page.evaluate("document.activeElement.closest('article') !== null"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('article') !== null"), (
        f"10 Tabs after the skip link on {LESSON} did not reach the lesson text"
    )


def test_panels_and_handout_frames_keep_their_contrast_in_dark_mode(browser, server):
    dark = browser.new_context(color_scheme="dark")
    page = dark.new_page()
    axe = Axe()
    failures = []
    for name in LESSONS[2:]:  # these two use every kind of lesson block between them
        page.goto(server.url(name))
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        include = [
            [selector]
            for selector in ("section.lesson-glance", "div.admonition")
            if page.locator(selector).count()
        ]
        options = {"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations"]}
        failures += axe_failures(
            f"{name} (dark)", axe.run(page, context={"include": include}, options=options).response
        )
    dark.close()
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- privacy


def test_no_page_requests_anything_from_another_host(sweep, server):
    offsite = [
        f"{visit.name} requested {url}"
        for visit in sweep.values()
        for url in visit.requests
        if is_offsite(url, server)
    ]
    assert not offsite, "\n".join(offsite)
    assert all(visit.requests for visit in sweep.values())


def test_no_page_contains_analytics(real_book):
    for name in site_pages(real_book.html):
        text = (real_book.html / name).read_text(encoding="utf-8").lower()
        found = [marker for marker in ANALYTICS if marker in text]
        assert not found, f"{name} mentions analytics: {found}"


def test_every_page_with_scripts_sets_the_content_security_policy(real_book, sweep):
    expected = accessibility.csp_meta()
    pages = site_pages(real_book.html)
    themed = [name for name in pages if expected in real_book.page(name)]
    assert "index.html" in themed and LESSON in themed
    for name in sorted(set(pages) - set(themed)):
        # Print pages (handouts/, the book PDF's lesson pages) come from the project's
        # own templates: no theme, so no scripts, and then no policy is needed.
        assert "<script" not in real_book.page(name), f"{name} runs a script without a policy"
    blocked = [f"{visit.name}: {line}" for visit in sweep.values() for line in visit.csp_violations]
    assert not blocked, "the policy blocks part of the book itself:\n" + "\n".join(blocked)


@pytest.mark.parametrize("where", ["server", "disk"])
def test_the_policy_blocks_every_kind_of_offsite_load(context, server, real_book, where):
    reached = []
    context.route(
        "http://offsite.invalid/**", lambda route: (reached.append(route.request.url), route.abort())
    )
    page = context.new_page()
    page.goto(server.url(LESSON) if where == "server" else (real_book.html / LESSON).as_uri())
    violations = page.evaluate(
        """async () => {
        const base = "http://offsite.invalid/";
        const add = (parent, tag, attrs) => parent.append(Object.assign(document.createElement(tag), attrs));
        add(document.body, "script", {src: base + "tracker.js"});
        add(document.head, "link", {rel: "stylesheet", href: base + "style.css"});
        add(document.body, "img", {src: base + "pixel.png"});
        add(document.body, "iframe", {src: base + "frame.html"});
        try { await new FontFace("Offsite", `url(${base}font.woff2)`).load(); } catch (error) {}
        try { await fetch(base + "beacon"); } catch (error) {}
        navigator.sendBeacon && navigator.sendBeacon(base + "beacon");
        await new Promise((done) => setTimeout(done, 500));
        return window.__cspViolations;
    }"""
    )
    directives = {line.split(" ")[0] for line in violations}
    for directive in ["script-src-elem", "style-src-elem", "img-src", "frame-src", "font-src", "connect-src"]:
        assert directive in directives, f"{where}: the policy did not block {directive}: {violations}"
    assert not reached, f"{where}: requests got past the policy: {reached}"


def test_no_cookies_and_nothing_stored_but_the_readers_theme_choice(context, server, sweep):
    for visit in sweep.values():  # (the sweep also checked that no page set a cookie)
        assert not visit.storage, f"{visit.name} left something in browser storage: {visit.storage}"
    page = context.new_page()
    page.goto(server.url("index.html"))
    assert search(page, "sextortion"), "the search found something"
    page.goto(server.url(LESSON))  # leaving a page: the theme would save the sidebar's scroll position
    page.goto(server.url(LESSONS[0]))

    def stored() -> dict:
        return page.evaluate(
            "({local: {...localStorage}, session: {...sessionStorage}, cookie: document.cookie})"
        )

    assert stored() == {"local": {}, "session": {}, "cookie": ""}, "search words or scroll positions stayed"
    toggle = page.locator(".theme-switch-button").first
    seen = []
    for _ in range(3):  # auto -> dark -> light -> auto (or auto -> light -> dark -> auto)
        toggle.click()
        seen.append(stored())
    chosen = [state["local"] for state in seen[:2]]
    assert {tuple(sorted(local)) for local in chosen} == {tuple(sorted(accessibility.THEME_KEYS))}
    assert {local["mode"] for local in chosen} == {"light", "dark"}
    assert seen[2] == {"local": {}, "session": {}, "cookie": ""}, "back to 'auto' forgets the choice"
    assert context.cookies() == []


# ---------------------------------------------------------------- offline and search


@pytest.mark.parametrize("where", ["server", "disk"])
def test_the_book_works_with_no_network(context, server, real_book, where):
    """Navigation, search, handout PDFs and the zip, from a static server or opened from disk."""
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.route(lambda url: is_offsite(url, server), lambda route: route.abort("internetdisconnected"))
    page = context.new_page()
    home = server.url("index.html") if where == "server" else (real_book.html / "index.html").as_uri()
    page.goto(home)
    page.locator("article a", has_text="Grades 6-8").first.click()
    page.wait_for_url("**/lessons/6-8/index.html")
    page.locator(f'a[href$="{LESSON.rsplit("/", 1)[1]}"]').first.click()
    page.wait_for_url(f"**/{LESSON}")
    assert "Sextortion" in page.locator("h1").first.inner_text()
    files = page.eval_on_selector_all('article a[href$=".pdf"]', "links => links.map(a => a.href)")
    assert files, f"{LESSON} links its handout PDFs"
    assert SEXTORTION_LESSONS <= search(page, "sextortion")
    page.goto(home)
    files += page.eval_on_selector_all("a.offline-zip", "links => links.map(a => a.href)")
    assert files[-1].endswith(offline.ZIP_PATH), "the home page links the offline zip"
    for url in files:
        if where == "server":
            response = context.request.get(url)
            assert response.status == 200, f"{url}: HTTP {response.status}"
        else:
            assert Path(url2pathname(urlsplit(url).path)).is_file(), url
    assert not [url for url in requests if is_offsite(url, server)]
    assert page.evaluate("window.__cspViolations") == []


def test_search_for_sextortion_finds_the_6_8_and_9_12_lessons(context, server):
    page = context.new_page()
    page.goto(server.url("search.html?q=sextortion"))
    page.locator("#search-results p.search-summary", has_text="Search finished").wait_for()
    found = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    pages = {url.split(server.url(), 1)[-1].split("?")[0] for url in found}
    assert SEXTORTION_LESSONS <= pages, f"search for 'sextortion' found {sorted(pages)}"


# ---------------------------------------------------------------- print


def test_printing_a_lesson_hides_the_site_and_keeps_the_teacher_notes(context, server):
    page = context.new_page()
    page.goto(server.url(PRINTED))
    notes = page.locator("article div.teacher-note .admonition-title").all_inner_texts()
    assert notes, f"{PRINTED} has teacher notes"
    page.emulate_media(media="print")
    shown = {selector: visible(page, selector) for selector in CHROME}
    assert not any(shown.values()), f"site chrome printed on {PRINTED}: {shown}"
    assert visible(page, "article section#at-a-glance") == 1
    assert visible(page, "article div.teacher-note") == page.locator("article div.teacher-note").count()
    text = pdf_text(page.pdf(format="Letter"))
    for title in ["At a glance", *notes]:
        assert " ".join(title.split()) in text, f"the printed {PRINTED} lacks {title!r}"
    for chrome_text in ["Skip to main content", "Search lessons and guides", "Back to top"]:
        assert chrome_text not in text, f"the printed {PRINTED} shows {chrome_text!r}"


def test_printing_keeps_every_tab_and_dropdown(context, tabbed_lesson):
    page = context.new_page()
    page.goto(tabbed_lesson.as_uri())
    page.emulate_media(media="print")
    text = pdf_text(page.pdf(format="A4"))
    for expected in [
        "First way",
        "FIRST-TAB-TEXT",
        "Second way",
        "SECOND-TAB-TEXT",
        "More ideas",
        "DROPDOWN-TEXT",
    ]:
        assert expected in text, f"the printed lesson lacks {expected!r}"


# ---------------------------------------------------------------- page weight


#: (page opened first, page opened next): the home page and the search page, then
#: each lesson followed by another lesson (the heaviest next page a teacher meets).
WEIGHED = [
    ("index.html", LESSONS[0]),
    ("search.html", LESSON),
    *zip(LESSONS, LESSONS[1:] + LESSONS[:1], strict=True),
]


def test_page_weight_first_load_and_next_page(browser, server, capsys):
    rows = []
    for name, following in WEIGHED:
        fresh = browser.new_context()  # an empty cache: a first visit
        page = fresh.new_page()
        page.goto(server.url(name), wait_until="load")  # (the same figures as "networkidle")
        first = page.evaluate(PAGE_BYTES)
        page.goto(server.url(following), wait_until="load")
        second = page.evaluate(PAGE_BYTES)
        fresh.close()
        rows.append((name, first, following, second))
    with capsys.disabled():
        print("\n\nPage weight: bytes over the wire from a plain static server (no compression)")
        print(f"{'first page':55} {'first load':>18}   {'next page (cached)':>18}")
        for name, first, following, second in rows:
            print(
                f"{name:55} {first['transferred']:>10,} ({first['requests']:>2} req)"
                f"   {second['transferred']:>10,} ({second['requests']:>2} req)  {following}"
            )
    for name, first, following, second in rows:
        if name in LESSONS:
            assert first["transferred"] < FIRST_LOAD_BUDGET, (
                f"{name}: {first['transferred']:,} bytes on first load"
            )
            assert second["transferred"] < NEXT_PAGE_BUDGET, (
                f"{following}, opened after {name}: {second['transferred']:,} bytes"
            )


# ---------------------------------------------------------------- the offline zip (no browser)


def test_the_build_makes_one_zip_of_the_whole_site(real_book):
    zip_path = real_book.html / offline.ZIP_PATH
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        infos = archive.infolist()
        assert archive.testzip() is None
    prefix = offline.ROOT_FOLDER + "/"
    printables = [name for name in names if name.endswith((".pdf", ".docx"))]
    pages = [name for name in names if name not in printables]
    assert names == sorted(pages) + sorted(printables), "pages, then the printables made after them"
    assert {info.date_time for info in infos} == {offline.FIXED_TIME}
    for expected in [
        "index.html",
        "search.html",
        "searchindex.js",
        LESSON,
        "handouts/red-flag-checklist.html",
    ]:
        assert prefix + expected in names, expected
    assert any(name.endswith("-letter.pdf") for name in names), "handout PDFs are in the zip"
    assert prefix + offline.ZIP_PATH not in names
    home = real_book.page("index.html")
    assert f'href="{offline.ZIP_PATH}"' in home, "the home page links the zip"


def test_the_zip_is_reproducible_and_left_alone_when_nothing_changed(real_book, tmp_path):
    site = shutil.copytree(real_book.html, tmp_path / "html")
    zip_path = site / offline.ZIP_PATH
    before = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    stamp = zip_path.stat().st_mtime_ns
    time.sleep(0.01)
    assert offline.make_site_zip(site) is False, "an unchanged site is not zipped again"
    assert zip_path.stat().st_mtime_ns == stamp
    zip_path.unlink()
    assert offline.make_site_zip(site) is True
    assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == before, "same site, same bytes"
    (site / "index.html").write_text(real_book.page("index.html") + "<!-- changed -->", encoding="utf-8")
    assert offline.make_site_zip(site) is True, "a changed page makes a new zip"
