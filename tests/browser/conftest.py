"""Real Chromium (Debian's), driven by Playwright, against cop served on 127.0.0.1.

Every page a journey visits is checked with axe-core; screenshots go to
artifacts/screenshots/ (CI keeps that folder).
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("COP_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium): browser tests skipped"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """cop served by a real HTTP server in a thread, on the test database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.config["BASE_URL"]
    server.shutdown()


@pytest.fixture
def jobs_worker(app):
    """Start the jobs worker (as `cop dev` runs it: a thread on the same queue); call it when the journey has
    seen the job waiting, so the progress page is checked before the work is done (issue 19)."""
    from cop.jobs.queue import start_worker_thread

    stops = []
    yield lambda: stops.append(start_worker_thread(app, poll_seconds=0.2))
    for stop in stops:
        stop.set()


class Journey:
    """A browser page that checks accessibility and takes a screenshot at every step."""

    def __init__(self, page, base_url: str, name: str):
        self.page, self.base_url, self.name, self.step = page, base_url, name, 0
        self.violations: list[str] = []
        # A journey fails on any console error (a refused font, a script error, a missing asset): issue 17.
        # The page itself answering 400 (a form with errors) or 404 is what the step expects, not an error.
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.violations.append(f"{page.url}: script error: {error}"))

    def _console(self, message):
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") == self.page.url:
            return
        self.violations.append(f"{self.page.url}: console error: {message.text} ({message.location.get('url')})")

    def goto(self, path: str):
        """Only the home page is typed: real people reach every other page by clicking (issue 17). A link taken
        from a mail is opened with open_from_mail."""
        assert path == "/", f"{path}: reach it by clicking links from / (journey.follow), not by typing its URL"
        self.page.goto(self.base_url + path)
        self.check()

    def open_from_mail(self, url: str):
        """A link as a mail gives it (an invitation, a sign-in link, a feedback request)."""
        assert url.startswith(self.base_url), url
        self.page.goto(url)
        self.check()

    def follow(self, *names: str, exact: bool = False):
        """Click the links of these names, one page after another, as a person would (on a phone the header's
        links may be folded into its "More" menu)."""
        for name in names:
            link = self.page.get_by_role("link", name=name, exact=exact).first
            if not link.is_visible():
                more = self.page.locator("#toggle-menu")
                if more.is_visible():
                    more.click()
            link.click()
            self.page.wait_for_load_state()
            self.check()

    def sign_in(self, email: str, password: str):
        """From the home page, by its "Sign in" link and the password form."""
        self.goto("/")
        self.follow("Sign in")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("main button:has-text('Sign in')")
        self.page.wait_for_load_state()
        self.check()

    def to_community(self, community: str):
        """From wherever the person is, by the header's Communities."""
        self.follow("Communities")
        self.follow(community, exact=True)

    def to_event(self, community: str, event: str):
        """From wherever the person is: the community, its events, the event."""
        self.to_community(community)
        self.follow(f"Events in {community}")
        self.follow(event, exact=True)

    def check(self):
        """axe-core on the page as it is now: no serious or critical WCAG 2.x A/AA violation."""
        self.step += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{self.step:02d}.png"), full_page=True)
        self.page.add_script_tag(path=str(AXE))
        if not self.page.evaluate("() => typeof axe !== 'undefined'"):
            # A context without JavaScript runs no script tag and fires no timers; axe is evaluated directly,
            # its timers run as microtasks (the page's own scripts are off, so nothing else sees the shim).
            self.page.evaluate(AXE.read_text())
            self.page.evaluate("() => { window.setTimeout = (run, ms, ...args) => "
                               "{ Promise.resolve().then(() => run(...args)); return 0; }; "
                               "window.clearTimeout = () => {}; }")
        result = self.page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
        )
        width = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:  # a page wider than the phone makes people scroll sideways to read it
            self.violations.append(f"{self.page.url}: {width[0]} px wide in a {width[1]} px window")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.violations.append(f"{self.page.url}: {violation['id']} ({violation['impact']}) {targets}")


VIEWPORTS = {"desktop": {"width": 1200, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def viewport():
    """A desktop unless the test parametrizes "viewport" with "phone" too (a 390 px phone, touch)."""
    return "desktop"


@pytest.fixture
def journey(browser, live_server, request, viewport):
    # bypass_csp lets axe-core be injected; cop itself still serves its CSP.
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True,
                                  is_mobile=viewport == "phone", has_touch=viewport == "phone")
    page = context.new_page()
    name = request.node.name.split("[")[0] + ("-phone" if viewport == "phone" else "")
    trip = Journey(page, live_server, name)
    yield trip
    context.close()
    assert trip.violations == [], "accessibility violations:\n" + "\n".join(trip.violations)
