import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.browsers import LAUNCH_ARGS, Chromium, find_chromium

# live_server tests drive a sync Django from Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Property tests (tests/fuzz): the same examples on every run and machine ("ci", the default),
# no time limit per example (a page render varies with the machine), no example database.
# HYPOTHESIS_PROFILE=explore searches fresh random examples, ten times as many.
_HYPOTHESIS = dict(
    deadline=None,
    database=None,
    print_blob=True,
    # Examples share the test's database fixtures, reset by the test's transaction.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.register_profile("ci", derandomize=True, **_HYPOTHESIS)
hypothesis_settings.register_profile("explore", max_examples=400, **_HYPOTHESIS)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    from config.celery import app

    # Unit tests run tasks in-process; tests/monitoring/test_worker.py starts a real worker.
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep serialized_rollback working once Playwright has started.

    Playwright's sync API leaves an asyncio loop running in the main thread; from then on
    Django (asgiref's thread-critical Local) hands each test a fresh per-context connection
    object, which lacks the `_test_serialized_contents` that serialized_rollback restores,
    so every later transactional test would start from an empty database. Keeping the
    contents on the connection class makes every connection object see them."""
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    yield


# Browser tests (tests/browsers.py finds the Chromium): where none can be had, they are left
# out, every other test runs, and the run ends with one line saying why, failing unless
# SKIP_BROWSER_TESTS=1.
_CHROMIUM = pytest.StashKey[Chromium]()
_NOT_RUN = pytest.StashKey[str]()
_BROWSER_FIXTURES = {"page", "context", "browser", "browser_type"}


def _is_browser_test(item) -> bool:
    return item.get_closest_marker("browser") is not None or bool(
        _BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(trylast=True)  # after `-m` has deselected what it deselects
def pytest_collection_modifyitems(config, items):
    browser_tests = [item for item in items if _is_browser_test(item)]
    if not browser_tests:
        return
    chromium = config.stash[_CHROMIUM] = find_chromium()
    if chromium.found:
        return
    config.hook.pytest_deselected(items=browser_tests)
    items[:] = [item for item in items if not _is_browser_test(item)]
    config.stash[_NOT_RUN] = (
        f"{len(browser_tests)} browser tests could not run: {chromium.problem} "
        "(set CHROMIUM_PATH, install chromium, or run `.venv/bin/playwright install chromium`; "
        "SKIP_BROWSER_TESTS=1 accepts the run without them)"
    )


def pytest_sessionfinish(session, exitstatus):
    not_run = (
        _NOT_RUN in session.config.stash
        and os.environ.get("SKIP_BROWSER_TESTS") != "1"
        and not session.config.option.collectonly
    )
    if not_run and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config):
    # After pytest's closing summary line, so it is the run's last word.
    if _NOT_RUN in config.stash:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            skipped = os.environ.get("SKIP_BROWSER_TESTS") == "1"
            reporter.write_line(config.stash[_NOT_RUN], yellow=skipped, red=not skipped, bold=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig):
    chromium = pytestconfig.stash.get(_CHROMIUM, None) or find_chromium()
    found = {"executable_path": chromium.executable} if chromium.executable else {}
    return {**browser_type_launch_args, **found, "args": LAUNCH_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}}


@pytest.fixture
def shipped_templates(transactional_db):
    """The metric registry and protocol templates the data migrations ship. serialized_rollback
    restores them for transactional (live_server) tests; load them here should it not have."""
    from monitoring.metric_registry import METRICS, PLAUSIBLE
    from monitoring.models import MetricKind
    from rehab.models import Citation, GateCriterion, Phase, Protocol
    from rehab.protocol_templates import load_citations, load_templates

    if not Protocol.objects.filter(is_template=True).exists():
        for code, name, unit, direction, category, bilateral, swc_pct, description in METRICS:
            value_type, low, high, decimals = PLAUSIBLE[code]
            MetricKind.objects.get_or_create(
                code=code,
                defaults=dict(
                    name=name,
                    unit=unit,
                    direction=direction,
                    category=category,
                    bilateral=bilateral,
                    swc_pct=swc_pct,
                    description=description,
                    value_type=value_type,
                    min_value=low,
                    max_value=high,
                    decimals=decimals,
                ),
            )
        load_templates(Protocol, Phase, GateCriterion, MetricKind)
        load_citations(Protocol, GateCriterion, Citation)


@pytest.fixture
def world(db):
    """The shared world (tests/world.py): the owner team's coach, clinician, athlete and
    teammate, and an outsider team with the same."""
    from tests.world import build_world

    return build_world()


@pytest.fixture
def team(world):
    return world.team


@pytest.fixture
def coach(world):
    return world.coach


@pytest.fixture
def clinician(world):
    return world.clinician


@pytest.fixture
def athlete(world):
    return world.athlete


@pytest.fixture
def teammate(world):
    return world.teammate
