"""Every form class of our apps takes whatever a browser can send without raising: is_valid()
answers True or False and every error message can be put into words (tests/fuzz/
test_form_views.py posts the same bodies to the pages, which render them).

The classes are found by walking the apps' modules, so a new form is covered as soon as it
exists; one whose constructor needs something new fails until FORM_KWARGS can build it."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from monitoring.models import CheckIn, MetricKind, TrainingSession
from rehab.models import GateCriterion, Phase, Protocol

from .strategies import bodies, examples

APPS = ("athletes", "rehab", "monitoring")
SKIP_MODULES = (".migrations", ".management")


def our_form_classes() -> list[type]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not any(part in module.name for part in SKIP_MODULES):
                importlib.import_module(module.name)
    found = set()

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.split(".")[0] in APPS:
                found.add(sub)
            walk(sub)

    walk(forms.BaseForm)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORM_CLASSES = our_form_classes()

# What each keyword a form's constructor requires is built from (one is drawn per example).
FORM_KWARGS = {
    "plan": lambda w: [w.home.plan, w.away.plan],
    "athlete": lambda w: [w.home.unplanned, w.home.athlete],
    "metric": lambda w: list(MetricKind.objects.filter(code__in=["split_30m", "h_test", "cmj"])),
    "teams": lambda w: [[w.home.team], []],
    "user": lambda w: [w.home.coach, w.home.clinician, w.away.coach],
    "header": lambda w: [["Runner", "Datum", "Zeit (ms)", "10 m"], ["a", "a", ""], []],
}
# A ModelForm is drawn unbound to an instance, or editing one of these.
INSTANCES = {
    TrainingSession: lambda w: w.home.session,
    Protocol: lambda w: w.home.protocol,
    Phase: lambda w: w.home.protocol.phases.first(),
    GateCriterion: lambda w: GateCriterion.objects.filter(phase__protocol=w.home.protocol).first(),
    CheckIn: lambda w: w.home.checkin,
}


def test_the_walk_finds_the_forms_we_know():
    names = {c.__name__ for c in FORM_CLASSES}
    assert {"CheckInForm", "RecoveryForm", "ProtocolForm", "GateForm", "DecisionForm"} <= names
    assert len(FORM_CLASSES) >= 19


def required_keywords(form_class) -> list[str]:
    params = inspect.signature(form_class.__init__).parameters.values()
    return [
        p.name
        for p in params
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
    ]


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: c.__name__)
def test_a_form_never_raises_whatever_it_is_sent(world, form_class):
    missing = [k for k in required_keywords(form_class) if k not in FORM_KWARGS]
    assert not missing, f"{form_class.__name__} needs {missing}: add them to FORM_KWARGS"
    options = {k: FORM_KWARGS[k](world) for k in required_keywords(form_class)}
    model = getattr(getattr(form_class, "_meta", None), "model", None)

    strategies = {}  # per constructor arguments: their fields may differ

    @given(data=st.data())
    @examples(40)
    def check(data):
        kwargs = {k: data.draw(st.sampled_from(v), label=k) for k, v in options.items()}
        if model in INSTANCES and data.draw(st.booleans(), label="editing"):
            stored = INSTANCES[model](world)
            kwargs["instance"] = type(stored).objects.get(pk=stored.pk)
        key = tuple((k, id(v)) for k, v in kwargs.items() if k != "instance")
        if key not in strategies:
            strategies[key] = bodies(form_class(**kwargs).fields)
        body, files = data.draw(strategies[key], label="body")
        form = form_class(body, files, **kwargs)
        assert form.is_valid() in (True, False)
        form.errors.as_text()  # every message can be put into words (the views render pages)
        if hasattr(form, "include_lines"):
            form.include_lines()

    check()
