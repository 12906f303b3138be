"""Reading the Delphi and survey forms: submitted fields into the services' arguments.

Only the shape of the fields is read here (which field names which item, question or
option); whether a value is allowed is the services' decision, so a bad value gets the
same one error as through the API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from bioconnect.errors import InputError
from bioconnect.services.dialogue.round_models import QuestionIn, SurveyQuestionOut

_ITEM = re.compile(r"^item-(\d{1,6})$")
#: Blank question rows on the survey editor.
QUESTION_ROWS = 6


def _number(text: str) -> int | str:
    clean = text.strip()
    return int(clean) if re.fullmatch(r"-?\d{1,9}", clean) else clean


def ratings_from_form(fields: Sequence[tuple[str, str]]) -> dict[int, int | str]:
    """``item-3=7`` → ``{3: 7}``; values that are not whole numbers are passed on as typed."""
    found: dict[int, int | str] = {}
    for key, value in fields:
        match = _ITEM.match(key)
        if match and value.strip():
            found[int(match[1])] = _number(value)
    return found


def round_from_form(value: str | None) -> int | None:
    """The round the form was shown for (``None`` when missing or not a number)."""
    number = _number(value or "")
    return number if isinstance(number, int) else None


def items_from_form(text: str) -> list[str]:
    """One item per non-blank line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def questions_from_form(form: Mapping[str, str]) -> list[QuestionIn]:
    """The question rows ``q1-kind``, ``q1-text``, ``q1-options`` …; blank rows are skipped."""
    questions = []
    for row in range(1, QUESTION_ROWS + 1):
        text = form.get(f"q{row}-text", "").strip()
        if not text:
            continue
        kind = form.get(f"q{row}-kind", "")
        options = items_from_form(form.get(f"q{row}-options", ""))
        try:
            questions.append(
                QuestionIn.model_validate({"kind": kind, "text": text, "options": options})
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(
                f"Question {row}, {where}: {first['msg']}.",
                "Choose a kind, keep the text under 1,000 characters and give at most 20 options.",
            ) from None
    return questions


def _ranking(q: SurveyQuestionOut, fields: Mapping[str, list[str]]) -> list[str] | None:
    places: dict[int, str] = {}
    for i, option in enumerate(q.options):
        value = (fields.get(f"q-{q.question}-rank-{i}") or [""])[0].strip()
        if not value:
            continue
        place = _number(value)
        if not isinstance(place, int) or place in places:
            raise InputError(
                f"Question {q.question}: the places must be different whole numbers.",
                "Give each option you rank its own place (1 = best), or leave it blank.",
            )
        places[place] = option
    return [places[p] for p in sorted(places)] or None


def answers_from_form(
    questions: Sequence[SurveyQuestionOut], fields: Mapping[str, list[str]]
) -> dict[int, object]:
    """The answered questions of a submitted survey form (unanswered ones are left out)."""
    answers: dict[int, object] = {}
    for q in questions:
        given = [v for v in fields.get(f"q-{q.question}", []) if v.strip()]
        if q.kind == "ranking":
            ranking = _ranking(q, fields)
            if ranking:
                answers[q.question] = ranking
        elif q.kind == "multiple":
            if given:
                answers[q.question] = given
        elif given:
            answers[q.question] = _number(given[0]) if q.kind == "likert" else given[0]
    return answers
