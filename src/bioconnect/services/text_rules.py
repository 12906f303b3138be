"""The text a request may carry, as JSON Schema patterns.

The web app refuses control characters in any request before a route runs
(``bioconnect.web.routing.refuse_control_characters``); its OpenAPI schema publishes
:data:`ADDRESS_TEXT` and :data:`BODY_TEXT` on every text without a pattern of its own. A
request model that declares a pattern uses one of these (or one as strict), so the schema
and the server say the same.

Example
-------
>>> import re
>>> bool(re.match(NON_BLANK_TEXT, "two\\nlines")), bool(re.match(NON_BLANK_TEXT, " \\t\\x85"))
(True, False)
>>> all(c.isspace() == (re.fullmatch(f"[{SPACE}]", c) is not None) for c in map(chr, range(0x3001)))
True
>>> bool(re.match(BODY_TEXT, "a\\x00b")), bool(re.match(ADDRESS_TEXT, "a\\tb"))
(False, False)
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

#: A path or query parameter: no C0 control character and no DEL.
ADDRESS_TEXT = r"^[^\x00-\x1f\x7f]*$"
#: Text in a JSON body: no control character but tab, line feed and carriage return.
BODY_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
#: White space as Python's ``str.strip`` sees it, spelled out: ``\s`` differs between
#: JavaScript's regular expressions (the schema's), Python's and Rust's (pydantic's) at
#: U+0085, which the first leaves out.
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: :data:`BODY_TEXT` that is not only white space (the services strip text, then refuse
#: it when empty).
NON_BLANK_TEXT = rf"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^{SPACE}\x00-\x1f\x7f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
#: One line without control characters, and without white space at either end (what a
#: form's line is once stripped): a name, or an option that answers must repeat exactly.
TRIMMED_LINE = rf"^[^{SPACE}\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]*[^{SPACE}\x00-\x1f\x7f])?$"

#: Text that must say something: checked (422) and published by a request model.
NonBlankText = Annotated[str, StringConstraints(pattern=NON_BLANK_TEXT)]
#: A :data:`TRIMMED_LINE`, checked and published by a request model.
TrimmedLine = Annotated[str, StringConstraints(pattern=TRIMMED_LINE)]
