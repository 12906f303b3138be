"""Consultations in a real browser, on the real Pol.is conversation brexit-consensus.

* A participant opens an invitation link on a phone-size screen and votes with the
  keyboard alone (agree, disagree, pass), submits a statement, and deletes a vote on the
  "my votes" page. The consultation is the imported conversation, opened again for voting
  (its 50 statements are Pol.is's own).
* An editor reads the results: the opinion map is drawn with one point per participant
  of the groups API, and the group sizes equal the API's.
* End to end: the editor proposes the top consensus statement as a plan goal, accepts it
  in the plan's inbox, and the goal page shows its evidence (the example plan is
  illustrative, as everywhere).
* axe finds no violations on every page. With UPDATE_DOCS=1 the screenshots are copied to
  docs/img/dialogue-*.png.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    ARTIFACTS,
    BLOCKING,
    DOCS_IMG,
    NOTES,
    PASSWORD,
    LiveServer,
    Watcher,
    describe,
    new_page,
    run_axe,
    serve,
    sign_in,
)

from bioconnect.services.accounts import add_user
from bioconnect.services.dialogue import (
    consultation_groups,
    create_invitation,
    import_polis,
    set_status,
    submit_statement,
    voting_view,
)
from bioconnect.services.plan import example_plan, import_plan
from bioconnect.store.database import open_store

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
VOTING = "brexit-vote"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[LiveServer]:
    """A store of its own: the example plan, brexit-consensus closed and a copy opened."""
    folder = tmp_path_factory.mktemp("dialogue-browser")
    engine = open_store(f"sqlite:///{folder / 'store.sqlite'}")
    add_user(engine, "dialogue-editor", PASSWORD, "editor")
    add_user(engine, "dialogue-viewer", PASSWORD, "viewer")
    import_plan(engine, example_plan("baltic"), actor="browser-test")
    brexit = data_dir / "polis" / "brexit-consensus"
    import_polis(engine, brexit, name="brexit", actor="browser-test")
    import_polis(engine, brexit, name=VOTING, actor="browser-test")
    set_status(engine, VOTING, "open", actor="browser-test")
    with serve(engine) as server:
        yield server
    engine.dispose()


def _shot(page: Any, name: str, focus: str | None = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    if focus:
        page.locator(focus).first.evaluate("(el) => el.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(200)
    path = ARTIFACTS / f"dialogue-{name}.png"
    page.screenshot(path=str(path))
    if os.environ.get("UPDATE_DOCS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / f"dialogue-{name}.png")


def _axe(page: Any, watcher: Watcher, name: str, allow: tuple[str, ...] = ()) -> None:
    violations = run_axe(page)
    NOTES.append(f"axe dialogue {name}: " + (describe(violations) if violations else "none"))
    assert not [v for v in violations if v["impact"] in BLOCKING], describe(violations)
    assert not violations, f"axe on {name}:\n{describe(violations)}"
    watcher.assert_clean(allow=allow)


def _focused(page: Any) -> str:
    text: str = page.evaluate(
        "() => { const e = document.activeElement;"
        " return (e.getAttribute('aria-label') || e.innerText || e.value || e.id || '').trim(); }"
    )
    return text


def _tab_to(page: Any, name: str, *, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element is called ``name``."""
    for _ in range(80):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if _focused(page) == name:
            return
    raise AssertionError(f"Tab never reached {name!r}; last focus: {_focused(page)!r}")


def _enter(page: Any) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _statement(page: Any) -> int:
    return int(page.get_by_test_id("statement").get_attribute("data-statement"))


def test_an_invited_participant_votes_on_a_phone_with_the_keyboard_alone(
    browser: Any, site: LiveServer
) -> None:
    made = create_invitation(site.engine, VOTING, actor="browser-test", label="Invitee")
    context = browser.new_context(base_url=site.url, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    watcher = Watcher()
    watcher.attach(page)
    page.goto(made.path)
    assert page.url.endswith(f"/dialogue/{VOTING}/vote")
    assert "by invitation" in page.get_by_test_id("voter").inner_text()
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page scrolls sideways by {wide}px on a phone"
    _shot(page, "vote")
    _axe(page, watcher, "vote (phone)")

    # the first button has the focus: Enter agrees; then Tab to disagree and to pass
    first = _statement(page)
    assert _focused(page) == "Agree"
    _enter(page)
    second = _statement(page)
    assert second != first and "1 of 50" in page.get_by_test_id("progress").inner_text()
    _tab_to(page, "Disagree")
    _enter(page)
    _tab_to(page, "Pass / unsure")
    _enter(page)
    assert "3 of 50" in page.get_by_test_id("progress").inner_text()
    voter = made.invitation.participant
    votes = {v.statement: v.vote for v in _my_votes(site, made.token)}
    assert votes[first] == 1 and votes[second] == -1 and len(votes) == 3

    # a statement of one's own, typed and sent with the keyboard; it waits for moderation
    _tab_to(page, "new-statement")
    page.keyboard.type("Joint technician training across the Baltic states.")
    _tab_to(page, "Submit the statement")
    _enter(page)
    assert "Thank you" in page.get_by_test_id("note").inner_text()
    assert voting_view(site.engine, VOTING, invited(site, made.token)).pending_own == 1

    # my votes: reach the link, delete the disagree vote
    _tab_to(page, "My votes", back=True)
    _enter(page)
    assert page.get_by_test_id("my-votes").locator("li").count() == 3
    _shot(page, "my-votes")
    _axe(page, watcher, "my votes (phone)")
    _tab_to(page, f"Delete my vote on statement {second}")
    _enter(page)
    assert page.get_by_test_id("deleted").count() == 1
    assert second not in {v.statement for v in _my_votes(site, made.token)}
    assert voter >= 2_000_000
    watcher.assert_clean()
    context.close()


def invited(site: LiveServer, token: str) -> Any:
    from bioconnect.services.dialogue import invited_voter

    return invited_voter(site.engine, token)


def _my_votes(site: LiveServer, token: str) -> list[Any]:
    from bioconnect.services.dialogue import my_votes

    return my_votes(site.engine, VOTING, invited(site, token))


def test_results_draw_the_opinion_map_of_brexit_consensus(browser: Any, site: LiveServer) -> None:
    context, page, watcher = new_page(browser, site)
    sign_in(context, "dialogue-editor")
    page.goto("/dialogue/brexit")
    page.locator('#opinion-map[data-state="ready"] svg').wait_for(timeout=60_000)
    groups = consultation_groups(site.engine, "brexit")
    points = page.locator("#opinion-map svg g.mark-symbol.role-mark path").count()
    assert points == len(groups.participants) == 204
    sizes = page.get_by_test_id("group-sizes").locator("tbody td").all_inner_texts()
    assert [int(s) for s in sizes] == groups.sizes
    assert page.get_by_test_id("n-groups").inner_text() == str(groups.n_groups) == "2"
    assert page.get_by_test_id("consensus-agree").locator("li").count() >= 1
    _shot(page, "results", focus="#map-h")
    _axe(page, watcher, "results (editor)")
    page.goto("/dialogue")
    _axe(page, watcher, "consultation list")
    context.close()

    # a viewer sees aggregates only: no map of individual participants
    context, page, watcher = new_page(browser, site)
    sign_in(context, "dialogue-viewer")
    page.goto("/dialogue/brexit")
    assert page.locator("#opinion-map").count() == 0
    assert page.get_by_test_id("group-sizes").count() == 1
    _axe(page, watcher, "results (viewer)")
    context.close()


def test_a_consensus_statement_becomes_a_plan_goal_with_its_evidence(
    browser: Any, site: LiveServer
) -> None:
    context, page, watcher = new_page(browser, site)
    sign_in(context, "dialogue-editor")
    page.goto("/dialogue/brexit")
    top = page.get_by_test_id("consensus-agree").locator("li").first
    statement = top.get_attribute("data-statement")
    text = top.locator("p").inner_text().split(" #")[0]
    with page.expect_navigation():
        top.get_by_role("button", name=f"Propose as plan goal: statement {statement}").click()
    assert "/plan/inbox" in page.url
    item = page.url.split("#item-")[1]
    proposal = page.locator(f"#item-{item}")
    assert f"statement {statement}: {text}" in proposal.inner_text()
    _axe(page, watcher, "plan inbox with a proposed goal")
    _shot(page, "inbox", focus=f"#item-{item}")
    goal_id = page.get_by_label(f"Goal id for {item}").input_value()
    with page.expect_navigation():
        proposal.get_by_role("button", name="Accept as goal").click()
    assert page.url.endswith(f"/plan/goals/{goal_id}")
    assert page.get_by_test_id("goal-title").inner_text() == text
    evidence = page.get_by_test_id("goal-evidence").inner_text()
    assert f"From consultation brexit, statement {statement}" in evidence
    assert "Group-informed consensus" in evidence and "By opinion group" in evidence
    _shot(page, "goal")
    _axe(page, watcher, "goal page")
    page.goto("/plan")
    assert page.get_by_test_id("goals").get_by_role("link", name=f"{goal_id} {text}").count() == 1
    context.close()


def test_coordinators_manage_moderate_and_invite(browser: Any, site: LiveServer) -> None:
    submit_statement(
        site.engine,
        VOTING,
        invited(site, create_invitation(site.engine, VOTING, actor="t").token),
        "Fund shared pilot plants.",
    )
    context, page, watcher = new_page(browser, site)
    sign_in(context, "dialogue-editor")
    page.goto(f"/dialogue/{VOTING}/manage")
    queue = page.get_by_test_id("moderation-queue")
    assert "Fund shared pilot plants." in queue.inner_text()
    _axe(page, watcher, "manage")
    page.get_by_label("Who it is for").fill("A biotech investor")
    page.get_by_label("Stakeholder group").select_option("investors")
    page.get_by_label("Country").fill("LT")
    with page.expect_navigation():
        page.get_by_role("button", name="Create an invitation link").click()
    link = page.get_by_test_id("link").input_value()
    assert "/dialogue/join/" in link
    _shot(page, "manage", focus="#invitations-h")
    _axe(page, watcher, "manage with a new link")
    waiting = queue.locator("li").count()
    sid = queue.locator("li").last.get_attribute("data-statement")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Approve statement {sid}").click()
    after = page.get_by_test_id("moderation-queue").locator("li")
    assert after.count() == waiting - 1
    assert "Fund shared pilot plants." not in page.locator("#moderation-h + *").inner_text()
    # a used-up link: revoke it, then open it
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke the invitation of participant").last.click()
    guest, gpage, gwatch = new_page(browser, site)
    answer = gpage.goto(link.replace(site.url, ""))
    assert answer is not None and answer.status == 400
    assert "used up: it was revoked" in gpage.get_by_test_id("problem").inner_text()
    _axe(gpage, gwatch, "used-up link", allow=("status of 400",))
    guest.close()
    context.close()
