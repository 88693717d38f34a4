"""`make test` on a machine without a usable Chromium: the browser tests are left out, every
other test runs, and the run ends with one line saying why, failing unless
SKIP_BROWSER_TESTS=1 (tests/conftest.py, tests/browsers.py). Each case runs pytest itself."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browsers import find_chromium

ROOT = Path(__file__).resolve().parents[2]
MISSING = "/nonexistent/chromium"
# One browser module and one quick unit module: what the run keeps and what it leaves out.
SELECTION = ["tests/portal/test_phone_browser.py", "tests/core/test_json_parser.py"]


def run_pytest(*args, **env):
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env={**os.environ, "CHROMIUM_PATH": MISSING, "SKIP_BROWSER_TESTS": "", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return run.returncode, run.stdout.strip().splitlines()


def not_run_lines(lines):
    return [line for line in lines if "browser tests could not run" in line]


def test_without_a_browser_the_other_tests_run_and_one_line_fails_the_run():
    code, lines = run_pytest(*SELECTION)

    assert code == pytest.ExitCode.TESTS_FAILED, lines
    assert not_run_lines(lines) == [lines[-1]]  # one line, and the last: after pytest's summary
    assert f"CHROMIUM_PATH={MISSING} is not a file" in lines[-1]
    left_out = re.match(r"(\d+) browser tests could not run", lines[-1]).group(1)
    summary = lines[-2]  # the unit tests ran and passed; the browser tests were left out
    assert re.match(rf"\d+ passed, {left_out} deselected in ", summary), summary
    assert not any("Error" in line for line in lines), lines  # no launch errors


def test_skip_browser_tests_accepts_the_run_and_still_says_what_did_not_run():
    code, lines = run_pytest(*SELECTION, SKIP_BROWSER_TESTS="1")

    assert code == pytest.ExitCode.OK, lines
    assert not_run_lines(lines) == [lines[-1]]


def test_a_run_of_browser_tests_alone_fails_rather_than_reporting_no_tests():
    code, lines = run_pytest(SELECTION[0])

    assert code == pytest.ExitCode.TESTS_FAILED, lines
    assert not_run_lines(lines) == [lines[-1]]


def test_a_run_without_browser_tests_says_nothing_about_a_browser():
    code, lines = run_pytest("-m", "not browser", *SELECTION)

    assert code == pytest.ExitCode.OK, lines
    assert not_run_lines(lines) == []


def test_a_chromium_path_that_is_not_a_file_is_named_as_the_reason():
    chromium = find_chromium({"CHROMIUM_PATH": MISSING})

    assert not chromium.found
    assert chromium.problem == f"CHROMIUM_PATH={MISSING} is not a file"


def test_without_chromium_path_or_a_system_chromium_the_reason_names_each_place_looked(
    monkeypatch,
):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", "/nonexistent/ms-playwright")

    chromium = find_chromium({})

    assert not chromium.found
    assert chromium.problem == (
        "no system Chromium (chromium, chromium-browser, google-chrome, google-chrome-stable) "
        "on the PATH; Playwright's own Chromium is not installed; CHROMIUM_PATH is not set"
    )
