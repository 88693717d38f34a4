"""Every URL pattern of the project, resolved from the root URLconf, as every role: anonymous,
athlete, coach, clinician, a coach of another team (the outsider) and a staff admin.

Each `<int:pk>`-style parameter is filled with an id of the right kind from the user's own
team, one from the other team, 0, 2**63 and 2**70, and (where the pattern takes any text)
garbage; each address is fetched and posted to (garbage form and JSON bodies), and the
plain address is also fetched with garbage query strings (huge and negative page numbers,
unicode, year-1 and year-9999 times, repeated keys, very long values).

Never a 500; and on an address that names another team's object a signed-in person gets
403, 404, 405 or a 400 about the request, never a success or a redirect after one. A new pattern whose parameters have no kind below fails
`test_every_parameter_of_every_pattern_has_a_kind`. Run with -s for the counts.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

ROLES = ("anonymous", "athlete", "coach", "clinician", "outsider", "admin")
TEAM_OF = {"athlete": "home", "coach": "home", "clinician": "home", "outsider": "away"}

# Django's admin is not ours: only its front door is walked.
ADMIN_WALKED = {"admin:index", "admin:login"}
# Built from the whole API on every request, and the same for everyone: twice, not per role.
SCHEMA = {"api-schema"}

# The kind of object each parameter names: by the pattern's name, else by the API basename.
PARAMETER_KINDS = {
    "athletes:detail": {"pk": "athlete"},
    "coach:checkin-void": {"pk": "athlete", "entry_pk": "checkin"},
    "coach:session-edit": {"pk": "athlete", "entry_pk": "session"},
    "coach:session-void": {"pk": "athlete", "entry_pk": "session"},
    "coach:measurement-edit": {"pk": "athlete", "entry_pk": "measurement"},
    "coach:measurement-void": {"pk": "athlete", "entry_pk": "measurement"},
    "coach:sprint": {"pk": "athlete", "sprint_pk": "sprint"},
    "coach:sprint-void": {"pk": "athlete", "entry_pk": "sprint"},
    "coach:flag-acknowledge": {"pk": "athlete", "flag_pk": "flag"},
    "coach:flag-resolve": {"pk": "athlete", "flag_pk": "flag"},
    "coach:injury-edit": {"pk": "athlete", "injury_pk": "injury"},
    "coach:injury-close": {"pk": "athlete", "injury_pk": "injury"},
    "coach:protocol-copy": {"protocol_pk": "protocol"},
    "coach:protocol-edit": {"protocol_pk": "protocol"},
    "coach:protocol": {"protocol_pk": "protocol"},
    "coach:protocol-export": {"protocol_pk": "protocol"},
    "clinic:flag-resolve": {"pk": "signoff", "flag_pk": "signoff_flag"},
    "me:checkin-edit": {"pk": "checkin"},
    "accounts-token-revoke": {"pk": "token"},
    "people:invitation-resend": {"pk": "invitation"},
    "people:invitation-revoke": {"pk": "invitation"},
    "people:athlete-archive": {"pk": "athlete"},
    "reminders:suggest": {"pk": "athlete"},
    # An invitation link's token (garbage here; real ones in tests/athletes/test_invitations).
    "invitation-accept": {"token": "invite_token"},
    "notifications:read": {"pk": "notification"},
    # Django's reset link: an encoded user id and a token (garbage here; a real one is
    # tested in tests/athletes).
    "password_reset_confirm": {"uidb64": "reset_uid", "token": "reset_token"},
}
PREFIX_KINDS = {"coach:": "athlete", "privacy:": "athlete", "clinic:": "signoff"}
API_KINDS = {
    "athlete",
    "injury",
    "protocol",
    "plan",
    "checkin",
    "session",
    "measurement",
    "sprint",
    "flag",
    "signoff",
    "team",
    "invitation",
}
PUBLIC_KINDS = {
    "metric",
    "format",
    "reset_uid",
    "reset_token",
    "invite_token",
}  # the same for every team: no one else's data

ODD_IDS = ["0", str(2**63), str(2**70)]
ODD_TEXT = ["1e309", "😀%", "9" * 300]  # where the pattern takes any text
FORMATS = ["json", "api", "xyz"]

QUERIES = [
    "page=-1&sessions_page=99999999999999999999999&measurements_page=abc&checkins_page=0"
    "&since=0001-01-01T00:00:00%2B05:00&until=9999-12-31T23:59:59-05:00",
    "page=999999999999999999999999999&page=%F0%9F%98%80&q=%E2%80%AEx&q=y&team=1e309"
    "&phase=none&phase=99&search=%00",
    f"athlete={2**70}&status=%00&kind=zzz&ordering=-nope&include_voided=maybe&format=xyz"
    "&limit=-1&offset=1e309&code=..%2F..&q=" + "x" * 3000,
]
GARBAGE_FORM = {
    "athlete": ["1", "2", str(2**70)],
    "team": str(2**70),
    "version": "99999999999999999999999",
    "note": "\x00",
    "reason": "x" * 5000,
    "confirm": "😀",
    "decision": ["approve", "decline"],
    "page": "-1",
    "username": "ghost",
    "password": "x",
    "csrfmiddlewaretoken": "forged",
}
GARBAGE_JSON = {
    "athlete": "abc",
    "metric": ["split_30m"],
    "value": "many",
    "note": "\u0000",
    "reason": "y" * 5000,
    "measurements": [{"athlete": "x"}],
    "plan": {"id": "1"},
}


@dataclass
class Route:
    name: str
    route: str  # as the resolver reports it (RoutePattern and regex parts joined)
    params: tuple[str, ...]
    converters: dict

    @property
    def is_regex(self) -> bool:
        return "(?P<" in self.route

    def kinds(self) -> dict:
        if self.name in PARAMETER_KINDS:
            return {**PARAMETER_KINDS[self.name], "format": "format"}
        base = self.name.split("-")[0]
        if base in API_KINDS:
            return {"pk": base, "format": "format"}
        if self.name.startswith("metric-"):
            return {"code": "metric", "format": "format"}
        for prefix, kind in PREFIX_KINDS.items():
            if self.name.startswith(prefix):
                return {"pk": kind}
        return {"format": "format"}


def walk(patterns=None, prefix="", namespace=()) -> list[Route]:
    found = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = namespace + ((p.namespace,) if p.namespace else ())
            found += walk(p.url_patterns, prefix + str(p.pattern), ns)
            continue
        assert isinstance(p, URLPattern)
        name = ":".join((*namespace, p.name or ""))
        if namespace[:1] == ("admin",) and name not in ADMIN_WALKED:
            continue
        route = prefix + str(p.pattern)
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
        converters = dict(getattr(p.pattern, "converters", {}))
        found.append(Route(name, route, params, converters))
    return found


ROUTES = walk()


def build_path(route: Route, values: dict) -> str | None:
    """The address for `values`, or None when the pattern does not take them (an int
    converter and a word): checked by resolving it back to the same pattern."""
    raw = route.route

    def fill(match):
        if "drf_format_suffix" in match.group(0):  # DRF's converter takes the dot too
            return "." + values[match.group(1)]
        return values[match.group(1)]

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", fill, raw)  # a regex's groups first
    path = re.sub(r"<(?:[\w]+:)?(\w+)>", fill, path)
    path = "/" + path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "")
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.route != re.sub(r"(^|/)\^", r"\1", raw):  # Django drops the ^ when joining
        return None
    return "".join(quote(c, safe="/.") if c in "%😀" else c for c in path)


def test_every_parameter_of_every_pattern_has_a_kind():
    for route in ROUTES:
        kinds = route.kinds()
        assert set(route.params) <= set(kinds), f"{route.name} ({route.route}): add its kinds"
    names = {r.name for r in ROUTES}
    assert {"coach:protocol-edit", "me:today", "athlete-detail", "admin:index"} <= names


def _ids(world):
    def of(club):
        return {
            "athlete": club.athlete.pk,
            "checkin": club.checkin.pk,
            "session": club.session.pk,
            "measurement": club.measurement.pk,
            "sprint": club.sprint.pk,
            "flag": club.flag.pk,
            "signoff": club.signoff.pk,
            "signoff_flag": club.signoff_flag.pk,
            "protocol": club.protocol.pk,
            "injury": club.plan.injury_id,
            "plan": club.plan.pk,
            "metric": "split_30m",
            "token": club.token.pk,
            "notification": club.notification.pk,
            "reset_uid": "MQ",
            "reset_token": "set-password",
            "team": club.team.pk,
            "invitation": club.invitation.pk,
            "invite_token": "1.forged-secret",
        }

    return {"home": of(world.home), "away": of(world.away)}


def _variants(route: Route, ids) -> list[tuple[str, dict, str | None]]:
    """(label, parameter values, the team whose objects they name or None)."""
    kinds = route.kinds()
    home = {
        p: ("json" if kinds[p] == "format" else str(ids["home"][kinds[p]])) for p in route.params
    }
    owned = [p for p in route.params if kinds[p] not in PUBLIC_KINDS]
    found = [("home", home, "home" if owned else None)]
    if "format" in route.params:  # the same views again: the format only (GET)
        return found + [(f"format={f}", {**home, "format": f}, None) for f in FORMATS[1:]]
    if owned:
        away = {p: str(ids["away"][kinds[p]]) if p in owned else home[p] for p in route.params}
        found.append(("away", away, "away"))
    for p in route.params:
        if len(owned) > 1 and p in owned:  # the home athlete with another team's entry
            found.append((f"{p}=away", {**home, p: str(ids["away"][kinds[p]])}, "away"))
        odd = ODD_IDS + (ODD_TEXT if route.is_regex else [])
        for value in odd:
            found.append((f"{p}={value[:12]}", {**home, p: value}, None))
    return found


def _cause(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    return repr(exc_info[1])[:200] if exc_info else ""


def _client(world, role) -> Client:
    # A server error is collected (with its exception) rather than raised: one run lists all.
    client = Client(raise_request_exception=False)
    user = {
        "anonymous": None,
        "athlete": world.home.athlete.user,
        "coach": world.home.coach,
        "clinician": world.home.clinician,
        "outsider": world.away.coach,
        "admin": world.admin,
    }[role]
    if user is not None:
        client.force_login(user)
    return client


def test_no_address_answers_500_and_no_one_sees_another_teams_object(world):
    ids = _ids(world)
    counts, statuses, failed, refused = Counter(), Counter(), [], []
    for route in ROUTES:
        cache.clear()  # throttles: this walk is many requests a minute by design
        roles = ("anonymous", "coach") if route.name in SCHEMA else ROLES
        for role in roles:
            client = _client(world, role)
            for label, values, team in _variants(route, ids):
                path = build_path(route, values)
                if path is None:
                    continue
                requests = [("GET", ""), ("POST", "form")]
                if label.startswith("format="):
                    requests = [("GET", "")]
                elif label == "home" and route.name not in SCHEMA and "format" not in route.params:
                    requests += [("GET", q) for q in QUERIES] + [("POST", "json")]
                elif route.name in SCHEMA:
                    requests = [("GET", ""), ("GET", QUERIES[2])]
                for method, extra in requests:
                    response = _send(client, method, path, extra)
                    counts[(route.route, role)] += 1
                    statuses[response.status_code] += 1
                    query = f"?{extra[:60]}" if method == "GET" and extra else ""
                    where = f"{role} {method} {path}{query}"
                    if response.status_code >= 500:
                        failed.append(f"{where} → {response.status_code} {_cause(response)}")
                    foreign = team is not None and role in TEAM_OF and team != TEAM_OF[role]
                    # Refused, or a 400 about the request itself (its query string): never a
                    # success, a redirect after one, or a conflict that shows the object exists.
                    if foreign and (response.status_code < 400 or response.status_code == 409):
                        refused.append(f"{where} → {response.status_code}")
                    if route.name == "logout":
                        client = _client(world, role)  # signed out: sign in again
    assert failed == [], f"{len(failed)} server errors:\n" + "\n".join(failed[:400])
    assert refused == [], "another team's object was not refused:\n" + "\n".join(refused)
    patterns = len({route for route, _ in counts})
    combos = len(counts)
    total = sum(counts.values())
    print(
        f"\nURL walk: {patterns} URL patterns × {len(ROLES)} roles ({combos} pattern-role pairs)"
        f" × {total / combos:.1f} variants on average = {total} requests, no server error of ours;"
        f" statuses: {dict(sorted(statuses.items()))}"
    )


def _send(client, method, path, extra):
    if method == "GET":
        return client.get(f"{path}?{extra}" if extra else path)
    if extra == "json":
        return client.post(path, json.dumps(GARBAGE_JSON), content_type="application/json")
    return client.post(path, GARBAGE_FORM)
