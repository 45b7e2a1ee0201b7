"""What a teacher does in the teacher app, as steps the browser tests share."""

from __future__ import annotations

from tests.helpers.roster_bundles import USERS, bundle, zipped

TEACHER = ("teacher", "baobab-teacher")  # server/services/demo.py
ADMIN = ("admin", "baobab-admin")


def sign_in(
    page,
    base: str,
    who=TEACHER,
    language: str | None = None,
    app: str = "/teacher/",
    lands_on: str = "ul.classes",
) -> None:
    """Open a staff app (the teacher app: its classes; the admin app: "/admin/",
    "table.children"), sign in with the keyboard (type, Enter), land on its first screen."""
    if language:
        page.add_init_script(f"localStorage.setItem('baobab.language', '{language}')")
    page.goto(base + app)
    page.wait_for_selector("form.signin")
    page.locator("input[name=username]").fill(who[0])
    page.locator("input[name=password]").fill(who[1])
    page.keyboard.press("Enter")
    page.wait_for_selector(lands_on)


def good_bundle() -> dict:
    """A OneRoster bundle as a file the page's file input takes."""
    return {"name": "roster.zip", "mimeType": "application/zip", "buffer": zipped(bundle())}


def bad_bundle() -> dict:
    """A bundle whose users.csv line 5 has no given name."""
    files = bundle(users=USERS.replace("Chike,Nwosu", ",Nwosu"))
    return {"name": "bad.zip", "mimeType": "application/zip", "buffer": zipped(files)}


def upload(page, file: dict) -> None:
    """Choose a roster file on the import screen and ask for the preview."""
    page.goto(page.url.split("#")[0] + "#/roster")
    page.wait_for_selector("form.roster-form")
    page.locator("input[type=file]").set_input_files(file)
    page.locator("button.preview").click()
