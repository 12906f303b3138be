"""The public names of bioconnect.dialogue."""

from __future__ import annotations

import bioconnect.dialogue as dialogue


def test_all_lists_the_public_surface() -> None:
    assert dialogue.__all__ == sorted(
        dialogue.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n)
    )
    assert {
        "opinion_groups",
        "representative_statements",
        "kendall_w",
        "group_informed_consensus",
    } <= set(dialogue.__all__)
    for name in dialogue.__all__:
        assert hasattr(dialogue, name), name
