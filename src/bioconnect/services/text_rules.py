"""The text a request may carry, as JSON Schema patterns.

The web app refuses control characters in any request before a route runs
(``bioconnect.web.routing.refuse_control_characters``); its OpenAPI schema publishes
:data:`ADDRESS_TEXT` and :data:`BODY_TEXT` on every text without a pattern of its own. A
request model that declares a pattern uses one of these (or one as strict), so the schema
and the server say the same.

Example
-------
>>> import re
>>> bool(re.match(NON_BLANK_TEXT, "two\\nlines")), bool(re.match(NON_BLANK_TEXT, " \\t"))
(True, False)
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
#: :data:`BODY_TEXT` that is not only white space (the services strip text, then refuse
#: it when empty).
NON_BLANK_TEXT = (
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
)

#: Text that must say something: checked (422) and published by a request model.
NonBlankText = Annotated[str, StringConstraints(pattern=NON_BLANK_TEXT)]
