"""The page that posts each form never answers 500, whatever the body: Hypothesis draws values
for the form's fields (meant-for and garbage, several per name, absent) and posts them as the
role the page is for, over plain HTTP and over htmx.

VIEWS names the page(s) of every form class found by tests/fuzz/test_forms.py; a new form
without a page here fails `test_every_form_has_the_page_that_posts_it`."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.forms.formsets import ManagementForm
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rehab.forms import CitationFormSet, GateFormSet, PhaseFormSet, ProtocolForm
from tests.rehab.test_protocol_editor import form_data as editor_post

from .strategies import GARBAGE, bodies, examples
from .test_forms import FORM_CLASSES


@dataclass
class Page:
    url: Callable  # (world) → the page's address
    user: Callable  # (world) → who posts
    prefix: str = ""
    kwargs: Callable = lambda w: {}  # (world) → the form's constructor arguments, as the view
    base: Callable | None = None  # (world, client) → the rest of a valid post
    method: str = "post"
    name: str = ""
    extra_fields: dict = field(default_factory=dict)


def coach(w):
    return w.home.coach


def clinician(w):
    return w.home.clinician


def athlete(w):
    return w.home.athlete.user


def on_athlete(name, *entry):
    def url(w):
        args = [w.home.athlete.pk, *[getattr(w.home, e).pk for e in entry]]
        return reverse(f"coach:{name}", args=args)

    return url


def editor(w):
    return reverse("coach:protocol-edit", args=[w.home.protocol.pk])


def editor_base(w, client):
    """The editor's form as the page renders it, as the browser would post it back."""
    protocol = w.home.protocol
    phases = protocol.phases.order_by("order")
    page = SimpleNamespace(
        context={
            "form": ProtocolForm(instance=protocol, prefix="protocol"),
            "phase_forms": PhaseFormSet(queryset=phases, prefix="phases"),
            "sections": [
                (None, GateFormSet(instance=p, prefix=f"gates-{p.order}")) for p in phases
            ],
            "citation_forms": CitationFormSet(instance=protocol, prefix="citations"),
        }
    )
    return editor_post(page)


# Every page that posts one of our forms, as the role it is for.
VIEWS: dict[str, list[Page]] = {
    "RosterFilterForm": [
        Page(lambda w: reverse("coach:roster"), coach, method="get", kwargs=lambda w: {})
    ],
    "AdvanceForm": [Page(on_athlete("advance"), coach)],
    "RegressForm": [Page(on_athlete("regress"), coach, kwargs=lambda w: {"plan": w.home.plan})],
    "AssignForm": [
        Page(
            lambda w: reverse("coach:assign", args=[w.home.unplanned.pk]),
            coach,
            kwargs=lambda w: {"athlete": w.home.unplanned},
        )
    ],
    "FlagAcknowledgeForm": [Page(on_athlete("flag-acknowledge", "flag"), coach)],
    "AthleteForm": [
        Page(
            lambda w: reverse("coach:athlete-new"),
            coach,
            kwargs=lambda w: {"user": w.home.coach},
            name="new",
        ),
        Page(
            on_athlete("athlete-edit"), coach, kwargs=lambda w: {"user": w.home.coach}, name="edit"
        ),
    ],
    "ArchiveForm": [Page(on_athlete("athlete-archive"), coach)],
    "InjuryForm": [
        Page(on_athlete("injury-new"), coach, name="new"),
        Page(
            lambda w: reverse("coach:injury-edit", args=[w.home.athlete.pk, w.home.plan.injury_id]),
            clinician,
            name="edit",
        ),
    ],
    "InjuryCloseForm": [
        Page(
            lambda w: reverse(
                "coach:injury-close", args=[w.home.athlete.pk, w.home.plan.injury_id]
            ),
            coach,
        )
    ],
    "FlagResolveForm": [
        Page(on_athlete("flag-resolve", "flag"), coach, name="coach"),
        Page(
            lambda w: reverse(
                "clinic:flag-resolve", args=[w.home.signoff.pk, w.home.signoff_flag.pk]
            ),
            clinician,
            name="clinic",
        ),
    ],
    "SessionForm": [Page(on_athlete("session-new"), coach)],
    "SessionCorrectionForm": [Page(on_athlete("session-edit", "session"), coach)],
    "MeasurementForm": [Page(on_athlete("measurement-new"), coach)],
    "SprintTrialForm": [Page(on_athlete("sprint-new"), coach)],
    "MeasurementCorrectionForm": [
        Page(
            on_athlete("measurement-edit", entry),
            coach,
            kwargs=lambda w, entry=entry: {"metric": getattr(w.home, entry).metric},
            name=entry,
        )
        for entry in ("measurement", "pass_fail", "bilateral")
    ],
    "VoidForm": [
        Page(on_athlete(f"{what}-void", entry), clinician, name=what)
        for what, entry in (
            ("checkin", "checkin"),
            ("session", "session"),
            ("measurement", "measurement"),
        )
    ],
    "MeasurementImportForm": [Page(lambda w: reverse("coach:measurement-import"), coach)],
    "ProtocolForm": [Page(editor, coach, prefix="protocol", base=editor_base)],
    "PhaseForm": [Page(editor, coach, prefix="phases-0", base=editor_base)],
    "GateForm": [
        Page(editor, coach, prefix="gates-0-1", base=editor_base, name="existing"),
        Page(editor, coach, prefix="gates-1-2", base=editor_base, name="new"),
    ],
    # A citation row of the editor (a new one: the small protocol has none), and the same
    # fields as an imported file's citations are read.
    "CitationForm": [Page(editor, coach, prefix="citations-0", base=editor_base)],
    "CitationFieldsForm": [Page(editor, coach, prefix="citations-0", base=editor_base)],
    "ProtocolImportForm": [
        Page(
            lambda w: reverse("coach:protocol-import"),
            coach,
            kwargs=lambda w: {"teams": [w.home.team]},
        )
    ],
    "DecisionForm": [
        Page(lambda w: reverse("clinic:decision", args=[w.home.signoff.pk]), clinician)
    ],
    "ClinicRegressForm": [
        Page(
            lambda w: reverse("clinic:regress", args=[w.home.signoff.pk]),
            clinician,
            kwargs=lambda w: {"plan": w.home.signoff.plan},
        )
    ],
    "CheckInForm": [
        Page(lambda w: reverse("me:today"), athlete, name="today"),
        Page(
            lambda w: reverse("me:checkin-edit", args=[w.home.checkin.pk]),
            athlete,
            name="history-edit",
        ),
    ],
    "RecoveryForm": [Page(lambda w: reverse("me:recovery"), athlete)],
    "ProfileForm": [
        Page(lambda w: reverse("profile"), coach, name="coach"),
        Page(lambda w: reverse("profile"), athlete, name="athlete"),
    ],
    "NotificationPreferenceForm": [
        Page(lambda w: reverse("notifications:preferences"), coach, name="coach"),
        Page(
            lambda w: reverse("notifications:preferences"),
            athlete,
            kwargs=lambda w: {"staff": False},
            name="athlete",
        ),
    ],
    # A coach signed in with the password only: the code step, enrolment, and the profile's
    # actions that ask for a code (each refuses or redirects, never a 500).
    "CodeForm": [
        Page(lambda w: reverse("two-factor-verify"), coach, name="verify"),
        Page(lambda w: reverse("two-factor-setup"), coach, name="setup"),
        Page(lambda w: reverse("two-factor-remove"), coach, name="remove"),
    ],
}

# The column map of a device export the built-in layout does not know (the import page's
# mapping step), and an athlete's device ids (the athlete's edit page).
MAP_HEADER = ["Runner", "Datum", "Zeit (ms)", "10 m", "20 m"]


def map_base(w, client):
    day = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d.%m.%Y")
    return {
        "content": f"{';'.join(MAP_HEADER)}\n{w.home.athlete.pk};{day};4210;1850;3080\n",
        "map": "1",
    }


VIEWS["ColumnMapForm"] = [
    Page(
        lambda w: reverse("coach:measurement-import"),
        coach,
        kwargs=lambda w: {"header": MAP_HEADER, "user": w.home.coach},
        base=map_base,
    )
]
VIEWS["ExternalIdForm"] = [Page(on_athlete("athlete-external-id"), coach)]
VIEWS["ReminderForm"] = [Page(lambda w: reverse("me:reminders"), athlete)]
VIEWS["SuggestionForm"] = [
    Page(lambda w: reverse("reminders:suggest", args=[w.home.athlete.pk]), coach)
]
VIEWS["InviteForm"] = [
    Page(lambda w: reverse("people:invite"), coach, kwargs=lambda w: {"user": w.home.coach})
]
# The invitee is not signed in: the page asks a signed-in visitor to sign out instead.
VIEWS["AcceptInvitationForm"] = [
    Page(lambda w: reverse("invitation-accept", args=[w.home.invitation_token]), lambda w: None)
]

# The protocol editor's management data: the formsets' own counts, tampered with.
MANAGEMENT = [
    Page(editor, coach, prefix="phases", base=editor_base, name="phases"),
    Page(editor, coach, prefix="gates-0", base=editor_base, name="gates"),
    Page(editor, coach, prefix="citations", base=editor_base, name="citations"),
]


# Forms no page of ours posts (their fields are fuzzed in test_forms.py all the same).
NOT_OUR_PAGES = {
    "ApiTokenAddForm": "Django's admin add page for API tokens (staff only; not ours to fuzz).",
}


def test_every_form_has_the_page_that_posts_it():
    assert sorted(c.__name__ for c in FORM_CLASSES) == sorted({*VIEWS, *NOT_OUR_PAGES})


CASES = [
    pytest.param(name, form_page, id=f"{name}-{form_page.name}" if form_page.name else name)
    for name, pages in VIEWS.items()
    for form_page in pages
]


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name, form_page", CASES)
def test_the_page_of_a_form_never_answers_500(world, name, form_page):
    client = _client(form_page.user(world))
    form_class = next(c for c in FORM_CLASSES if c.__name__ == name)
    fields = form_class(**form_page.kwargs(world)).fields
    _post_drawn_bodies(world, client, form_page, bodies(fields, prefix=form_page.prefix))


@pytest.mark.parametrize("form_page", MANAGEMENT, ids=lambda p: p.name)
def test_the_protocol_editor_never_answers_500_to_tampered_management_data(world, form_page):
    fields = ManagementForm().fields
    counts = st.one_of(GARBAGE, st.integers(-3, 12).map(str), st.just("100000000"))
    strategy = st.fixed_dictionaries(
        {f"{form_page.prefix}-{name}": st.one_of(st.none(), counts) for name in fields}
    )
    _post_drawn_bodies(world, _client(form_page.user(world)), form_page, strategy, management=True)


def _post_drawn_bodies(world, client, form_page, strategy, *, management=False):
    url = form_page.url(world)
    base = form_page.base(world, client) if form_page.base else {}

    @given(drawn=strategy, htmx=st.booleans())
    @examples(20)
    def check(drawn, htmx):
        if management:
            data = {**base, **{k: v for k, v in drawn.items() if v is not None}}
            files = {}
        else:
            body, files = drawn
            data = {**base, **{k: body.getlist(k) for k in body}}
        headers = {"HX-Request": "true"} if htmx else {}
        if form_page.method == "get":
            response = client.get(url, data, headers=headers)
        else:
            response = client.post(url, {**data, **files}, headers=headers)
        assert response.status_code < 500

    check()
