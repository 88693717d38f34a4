"""The API's JSON parser: a body too large or nested too deep is a 400, never a 500.

Kept apart from config.api for the reason config.authentication is: DRF imports the default
parser classes while its own views module is still loading, so this module may import
nothing that needs DRF's views.
"""

import itertools
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# Deep enough for any body the API takes (the deepest, bulk measurements, is 3 levels), far
# below where Python's JSON decoder runs out of stack (about 1,000).
MAX_JSON_DEPTH = 32

# A JSON string, escapes and all; an unterminated one runs to the end (the decoder then
# refuses it). Unrolled, so it runs in linear time on any input.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
# Each bracket as a signed byte: +1 opens a level, -1 closes one.
_STEPS = str.maketrans({"[": "\x01", "{": "\x01", "]": "\xff", "}": "\xff"})


def json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings do not
    count), without parsing it."""
    steps = _NOT_A_BRACKET.sub("", _STRING.sub("", text)).translate(_STEPS)
    # Summed in C: a 2.5 MB body of brackets takes milliseconds, not a Python loop per byte.
    return max(itertools.accumulate(memoryview(steps.encode("latin-1")).cast("b")), default=0)


def body_too_large() -> ParseError:
    """The 400 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (also raised as Django's
    RequestDataTooBig when DRF reads `request.body`: config.api's handler answers this)."""
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
        if openers > self.max_depth and json_depth(text) > self.max_depth:
            raise ParseError(
                f"JSON parse error - arrays and objects nest deeper than {self.max_depth} levels."
            )
        try:
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
