"""The API's JSON parser: a body too large or nested too deep is a 400, never a 500.

Kept apart from core.api for the reason athletes.authentication is: DRF imports the default
parser classes while its own views module is still loading, so this module may import
nothing that needs DRF's views.
"""

import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# Deep enough for any body the API takes (the deepest, bulk measurements, is 3 levels), far
# below where Python's JSON decoder runs out of stack (about 1,000).
MAX_JSON_DEPTH = 32

_ESCAPE = re.compile(r"\\.", re.DOTALL)
# Outside strings: brackets, all as [ and ] (how deep does not depend on the kind), and nothing
# else.
_AS_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def nests_deeper_than(text: str, limit: int) -> bool:
    """Whether the arrays and objects of a JSON text nest more than `limit` levels (brackets
    inside strings do not count), found without parsing it: exactly for well-formed JSON;
    for malformed JSON, whether a decoder could recurse that deep before failing.

    Every step runs in C: a 2.5 MB body costs milliseconds, not a Python loop per byte.
    """
    if "\\" in text:
        text = _ESCAPE.sub("", text)  # escaped quotes (and everything else escaped) go
    outside = "".join(text.split('"')[::2])  # what lies between strings
    brackets = outside.encode("utf-8", "ignore").translate(_AS_SQUARE, _NOT_BRACKETS)
    # Each pass drops the innermost level of pairs ("[]" adjacent only, left to right): a
    # well-formed text is empty after as many passes as it is deep.
    depth = 0
    while brackets and depth <= limit:
        reduced = brackets.replace(b"[]", b"")
        if len(reduced) == len(brackets):
            break
        brackets, depth = reduced, depth + 1
    # Left over when no pass could go on: unmatched "]"s, then unmatched "["s. A decoder fails
    # at an unmatched "]"; with none it nests into every unmatched "[".
    if not brackets.startswith(b"]"):
        depth += len(brackets)
    return depth > limit


def body_too_large() -> ParseError:
    """The 400 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (also raised as Django's
    RequestDataTooBig when DRF reads `request.body`: core.api's handler answers this)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return ParseError(f"The request body is too large: the limit is {limit:,} bytes.")


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser (strict: no NaN or Infinity literals) that first refuses, with a 400
    and a message, a body over DATA_UPLOAD_MAX_MEMORY_SIZE bytes or nested deeper than
    MAX_JSON_DEPTH levels.

    DRF (3.15 on) hands JSON parsers `request.body`, which Django has already held to
    DATA_UPLOAD_MAX_MEMORY_SIZE; the parser holds any other stream to it too.
    """

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise body_too_large()
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        # More opening brackets than the limit is the only way to nest past it: most bodies
        # (a check-in has one) skip the scan.
        openers = text.count("[") + text.count("{")
        if openers > self.max_depth and nests_deeper_than(text, self.max_depth):
            raise ParseError(
                f"JSON parse error - arrays and objects nest deeper than {self.max_depth} levels."
            )
        try:
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
