"""Consultations among the atlas's stakeholders: import, vote, groups, consensus, export.

* :mod:`~bioconnect.services.dialogue.polis_files`: reading and writing Pol.is export folders;
* :mod:`~bioconnect.services.dialogue.consultations`: the stored consultations (import,
  export, lifecycle, votes);
* :mod:`~bioconnect.services.dialogue.analysis`: opinion groups, representative statements,
  consensus by opinion group and by stakeholder group;
* :mod:`~bioconnect.services.dialogue.goals`: consensus statements proposed as plan goals
  through the plan's inbox, with their evidence, and accepted as goals;
* :mod:`~bioconnect.services.dialogue.participants`: participants' stakeholder groups,
  countries and atlas organisations;
* :mod:`~bioconnect.services.dialogue.invitations`: invitation links to vote without an
  account (tokens stored hashed, revocable);
* :mod:`~bioconnect.services.dialogue.voting`: what a participant does (next statement,
  vote, submit a statement, own votes);
* :mod:`~bioconnect.services.dialogue.moderation`: what a coordinator does (create,
  moderate, participation over time);
* :mod:`~bioconnect.services.dialogue.models`: the read models they return.
"""

from bioconnect.services.dialogue.analysis import (
    consultation_consensus,
    consultation_groups,
    consultation_report,
    group_of_each_participant,
)
from bioconnect.services.dialogue.consultations import (
    consultation_summary,
    export_polis,
    import_polis,
    list_consultations,
    record_account_vote,
    record_vote,
    set_status,
)
from bioconnect.services.dialogue.goals import (
    accept_goal,
    goal_proposals,
    next_goal_id,
    propose_goal,
)
from bioconnect.services.dialogue.invitations import (
    create_invitation,
    invited_voter,
    list_invitations,
    revoke_invitation,
)
from bioconnect.services.dialogue.models import (
    ConsensusItem,
    ConsensusResult,
    ConsultationReport,
    ConsultationSummary,
    GoalProposal,
    GroupReport,
    GroupsResult,
    Invitation,
    InvitationCreated,
    MyVote,
    ParticipantGroup,
    Participation,
    ParticipationRow,
    PendingStatement,
    RepresentativeStatement,
    ShownStatement,
    StatementSupport,
    Voter,
    VotingView,
)
from bioconnect.services.dialogue.moderation import (
    create_consultation,
    moderate,
    moderation_queue,
    participation,
)
from bioconnect.services.dialogue.participants import link_participants
from bioconnect.services.dialogue.polis_files import MAX_STATEMENT_CHARS
from bioconnect.services.dialogue.results import ResultsView, consultation_results
from bioconnect.services.dialogue.voting import (
    account_voter,
    add_statement,
    cast_vote,
    delete_my_vote,
    my_votes,
    submit_statement,
    voting_view,
)

__all__ = [
    "MAX_STATEMENT_CHARS",
    "ConsensusItem",
    "ConsensusResult",
    "ConsultationReport",
    "ConsultationSummary",
    "GoalProposal",
    "GroupReport",
    "GroupsResult",
    "Invitation",
    "InvitationCreated",
    "MyVote",
    "ParticipantGroup",
    "Participation",
    "ParticipationRow",
    "PendingStatement",
    "RepresentativeStatement",
    "ResultsView",
    "ShownStatement",
    "StatementSupport",
    "Voter",
    "VotingView",
    "accept_goal",
    "account_voter",
    "add_statement",
    "cast_vote",
    "consultation_consensus",
    "consultation_groups",
    "consultation_report",
    "consultation_results",
    "consultation_summary",
    "create_consultation",
    "create_invitation",
    "delete_my_vote",
    "export_polis",
    "goal_proposals",
    "group_of_each_participant",
    "import_polis",
    "invited_voter",
    "link_participants",
    "list_consultations",
    "list_invitations",
    "moderate",
    "moderation_queue",
    "my_votes",
    "next_goal_id",
    "participation",
    "propose_goal",
    "record_account_vote",
    "record_vote",
    "revoke_invitation",
    "set_status",
    "submit_statement",
    "voting_view",
]
