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
from bioconnect.services.dialogue.goals import accept_goal, propose_goal
from bioconnect.services.dialogue.models import (
    ConsensusItem,
    ConsensusResult,
    ConsultationReport,
    ConsultationSummary,
    GoalProposal,
    GroupReport,
    GroupsResult,
    ParticipantGroup,
    RepresentativeStatement,
    StatementSupport,
)
from bioconnect.services.dialogue.participants import link_participants
from bioconnect.services.dialogue.polis_files import MAX_STATEMENT_CHARS

__all__ = [
    "MAX_STATEMENT_CHARS",
    "ConsensusItem",
    "ConsensusResult",
    "ConsultationReport",
    "ConsultationSummary",
    "GoalProposal",
    "GroupReport",
    "GroupsResult",
    "ParticipantGroup",
    "RepresentativeStatement",
    "StatementSupport",
    "accept_goal",
    "consultation_consensus",
    "consultation_groups",
    "consultation_report",
    "consultation_summary",
    "export_polis",
    "group_of_each_participant",
    "import_polis",
    "link_participants",
    "list_consultations",
    "propose_goal",
    "record_account_vote",
    "record_vote",
    "set_status",
]
