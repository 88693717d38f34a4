"""Which Chromium the browser tests drive, found on any machine.

In order: the `CHROMIUM_PATH` environment variable (when set, it is the only one tried), a
system Chromium or Chrome on the PATH, else Playwright's own build (`make test` installs it
when the network allows: `python -m tests.browsers --install`). Each candidate is started
once, headless, in a child process, so a binary that exists but cannot start (missing
libraries, wrong architecture) is reported in one line instead of a launch error per test.

tests/conftest.py asks `find_chromium()` once per run, and only when browser tests are
selected."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

SYSTEM_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
START_TIMEOUT_S = 60

# Run in a child process: Playwright's sync API leaves an event loop in the thread that used
# it, which pytest-playwright's own start would then trip over.
_PROBE = """
import json, sys
from playwright.sync_api import sync_playwright
path, args = json.loads(sys.argv[1])
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=path, args=args, headless=True)
    browser.new_page().goto("about:blank")
    browser.close()
"""


@dataclass(frozen=True)
class Chromium:
    """A Chromium that started (`executable` None means Playwright's own build), or why none
    could be had (`problem`)."""

    executable: str | None = None
    problem: str | None = None

    @property
    def found(self) -> bool:
        return self.problem is None


def _starts(executable: str | None) -> str | None:
    """None when the browser starts headless; else the first line of why not."""
    try:
        run = subprocess.run(
            [sys.executable, "-c", _PROBE, json.dumps([executable, LAUNCH_ARGS])],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return f"it did not start within {START_TIMEOUT_S} s"
    if run.returncode == 0:
        return None
    lines = [line.strip() for line in run.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line] or lines or ["no error output"]
    return errors[-1][:200]


def system_chromium() -> str | None:
    for name in SYSTEM_CHROMIUMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def find_chromium(environ=os.environ) -> Chromium:
    """The Chromium the browser tests should drive, or the reason there is none."""
    chosen = environ.get("CHROMIUM_PATH")
    if chosen:
        if not os.path.isfile(chosen):
            return Chromium(problem=f"CHROMIUM_PATH={chosen} is not a file")
        why = _starts(chosen)
        return Chromium(chosen) if why is None else Chromium(problem=f"{chosen}: {why}")
    tried = []
    system = system_chromium()
    if system:
        why = _starts(system)
        if why is None:
            return Chromium(system)
        tried.append(f"{system} did not start ({why})")
    else:
        tried.append(f"no system Chromium ({', '.join(SYSTEM_CHROMIUMS)}) on the PATH")
    why = _starts(None)
    if why is None:
        return Chromium(None)
    tried.append(
        "Playwright's own Chromium is not installed"
        if "Executable doesn't exist" in why or "playwright install" in why
        else f"Playwright's own Chromium did not start ({why})"
    )
    return Chromium(problem="; ".join(tried) + "; CHROMIUM_PATH is not set")


def install_playwright_chromium() -> None:
    """`make test`'s first step: when there is no CHROMIUM_PATH and no system Chromium, fetch
    Playwright's own build. Without a network this fails within seconds and says nothing: the
    test run then names what is missing."""
    if os.environ.get("CHROMIUM_PATH") or system_chromium():
        return
    playwright = os.path.join(os.path.dirname(sys.executable), "playwright")
    env = {**os.environ, "PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT": "10000"}
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        subprocess.run(
            [playwright, "install", "chromium"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=300,
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["--install"]:
        install_playwright_chromium()
    else:
        chromium = find_chromium()
        print(
            chromium.executable or "Playwright's own Chromium"
            if chromium.found
            else chromium.problem
        )
        sys.exit(0 if chromium.found else 1)
