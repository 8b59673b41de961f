"""Screenshots of each role's main pages for the README and the user guides (`make screenshots`).

Starts the app on a fresh demo database in a temporary folder (`flask forum demo`, then
`flask forum serve`), drives the machine's Chromium with Playwright to bring one sitting live (so the
console, the delegates' view and the projector have something to show), and saves desktop and phone
captures into docs/screenshots/ as small palette PNGs (quantised with Pillow).
"""

from __future__ import annotations

import io
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("FORUM_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "labour-migration-demo"
DESKTOP = {"width": 1200, "height": 760}
PHONE = {"width": 390, "height": 780}
COLOURS = 96  # palette size: UI screens have few colours; this keeps every file small


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def save(png: bytes, name: str) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(OUT / f"{name}.png", optimize=True)


class Shooter:
    def __init__(self, browser: Any, base: str) -> None:
        self.browser, self.base = browser, base

    def sign_in(self, email: str) -> Any:
        page = self.browser.new_context(viewport=DESKTOP).new_page()
        page.goto(f"{self.base}/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{self.base}/")
        return page

    def shoot(self, page: Any, name: str, path: str | None = None, phone: bool = True) -> None:
        if path is not None:
            page.goto(f"{self.base}{path}")
        page.wait_for_load_state("networkidle")
        save(page.screenshot(), f"{name}-desktop")
        if phone:
            page.set_viewport_size(PHONE)
            save(page.screenshot(), f"{name}-phone")
            page.set_viewport_size(DESKTOP)
        print(f"  {name}")


def ids(database: Path) -> dict[str, int]:
    """Rows the pages need, read from the demo database (it is ours and fresh)."""
    with sqlite3.connect(database) as c:
        def one(sql: str) -> int:
            return c.execute(sql).fetchone()[0]
        return {
            "workers": one("select id from spaces where kind = 'group' and \"group\" = 'worker'"),
            "under_discussion": one("select id from draft_paragraphs where state = 'under_discussion' order by id"),
            "pending": one("select id from draft_paragraphs where state = 'pending' order by id"),
            "vote": one("select id from votes where state = 'closed' order by id"),
            "sitting": one("select id from sittings order by starts_at"),
        }


def capture(base: str, database: Path) -> None:
    n = ids(database)
    m = "/meetings/1"
    sitting = f"{m}/sittings/{n['sitting']}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        shots = Shooter(browser, base)
        secretariat = shots.sign_in("secretariat1@demo.forum")
        chair = shots.sign_in("chair@demo.forum")
        worker = shots.sign_in("wkr.nepal@demo.forum")
        germany = shots.sign_in("gov.germany@demo.forum")
        observer = shots.sign_in("observer.igo@demo.forum")

        print("secretariat")
        shots.shoot(secretariat, "secretariat-meeting", m)
        shots.shoot(secretariat, "secretariat-participants", f"{m}/participants")
        shots.shoot(secretariat, "secretariat-programme", f"{m}/programme", phone=False)
        shots.shoot(secretariat, "secretariat-validation", f"{m}/drafts/1/validation", phone=False)
        shots.shoot(secretariat, "secretariat-exports", f"{m}/drafts/1/exports", phone=False)

        # Bring the first sitting live: the secretariat makes it live and opens it for the Chair,
        # takes up the paragraph under discussion, delegates ask for the floor, the first one speaks.
        secretariat.goto(f"{base}{sitting}/make-live")
        secretariat.get_by_role("button", name="Make live").click()
        secretariat.goto(f"{base}{sitting}/console")
        secretariat.locator("[data-live-indicator][data-on='1']").wait_for()
        secretariat.get_by_role("button", name="Open the sitting").click()
        secretariat.locator("[data-sitting-state]").filter(has_text="In session").wait_for()
        secretariat.locator(f"[data-agenda] form:has(input[name=kind][value=paragraph]):has(input[name=id]"
                            f"[value='{n['under_discussion']}']) button").click()
        secretariat.locator("[data-item-heading]").wait_for()
        for page in (worker, germany):
            page.goto(f"{base}{sitting}")
            page.locator("[data-live-indicator][data-on='1']").wait_for()
            page.get_by_role("button", name="Ask for the floor").click()
            page.locator("[data-own-place]").filter(has_text="1").or_(
                page.locator("[data-own-place]").filter(has_text="2")).wait_for()
        secretariat.get_by_role("button", name="Next speaker").click()
        observer.goto(f"{base}{sitting}/projector")
        observer.locator("[data-timer]").filter(has_text="remaining").wait_for()
        box = secretariat.get_by_label("Text as moved (the room sees it as you type)")
        text = box.input_value()
        box.fill(text.replace("should", "shall", 1) if "should" in text else text + " without delay")
        observer.locator("[data-oral-text] ins").wait_for()

        print("chairperson")
        chair.goto(f"{base}{sitting}/console")
        chair.locator("[data-live-indicator][data-on='1']").wait_for()
        shots.shoot(chair, "chair-console")
        shots.shoot(chair, "chair-board", f"{m}/drafts/1/board")
        shots.shoot(chair, "chair-vote-result", f"{m}/votes/{n['vote']}")
        shots.shoot(chair, "chair-report", f"{m}/report", phone=False)

        print("secretariat at the console")
        secretariat.locator("[data-oral-text] ins").wait_for()
        shots.shoot(secretariat, "secretariat-console", phone=False)

        print("delegate")
        shots.shoot(worker, "delegate-dashboard", "/")
        shots.shoot(worker, "delegate-draft", f"{m}/drafts/1")
        shots.shoot(worker, "delegate-paragraph", f"{m}/drafts/1/paragraphs/{n['under_discussion']}")
        shots.shoot(worker, "delegate-amendment-form", f"{m}/drafts/1/amendments/new?paragraph={n['pending']}")
        shots.shoot(worker, "delegate-caucus", f"{m}/spaces/{n['workers']}")
        worker.goto(f"{base}{sitting}")
        worker.locator("[data-live-indicator][data-on='1']").wait_for()
        worker.locator("[data-oral-text] ins").wait_for()
        shots.shoot(worker, "delegate-sitting")

        print("projector")
        observer.set_viewport_size({"width": 1280, "height": 720})
        save(observer.screenshot(), "projector")
        print("  projector")
        browser.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "demo.sqlite3"
        port = free_port()
        env = {**os.environ, "FORUM_DATABASE_URL": f"sqlite:///{database}", "FORUM_SECRET_KEY": "screenshots",
               "FORUM_UPLOAD_DIR": str(Path(folder) / "uploads"), "FORUM_ENV": "development"}
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([*flask, "forum", "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        with open(Path(folder) / "server.log", "w") as log:
            server = subprocess.Popen([*flask, "forum", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                      stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 30
            while True:
                try:
                    if requests.get(f"{base}/login", timeout=1).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if time.time() > deadline or server.poll() is not None:
                    sys.exit("the server did not start:\n" + (Path(folder) / "server.log").read_text()[-2000:])
                time.sleep(0.2)
            capture(base, database)
        finally:
            server.terminate()
            server.wait(timeout=10)
    total = sum(f.stat().st_size for f in OUT.glob("*.png"))
    print(f"{len(list(OUT.glob('*.png')))} screenshots in {OUT.relative_to(ROOT)}, {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
