"""SQLAlchemy models, one module per concept, re-exported here."""

from microcrm.models.actions import Action, ActionStatus, ActionType, Scenario, ScenarioStep
from microcrm.models.addresses import Address
from microcrm.models.base import Base, SoftDeleted, Versioned, utcnow, versioned_tables
from microcrm.models.campaigns import Campaign, CampaignRecipient, Segment
from microcrm.models.ged import Document, DocumentVersion, Dossier
from microcrm.models.imports import ImportBatch, ImportChange
from microcrm.models.journal import AppMeta, ChangeLog, Workstation
from microcrm.models.parties import STAGE_LABELS, Civility, Organisation, Person, Stage
from microcrm.models.tags import Tag, organisation_tag, person_tag
from microcrm.models.users import Sector, User

# The search key of the *_key columns, defined in microcrm.text; still exported here.
from microcrm.text import fold

__all__ = [
    "STAGE_LABELS",
    "Action",
    "ActionStatus",
    "ActionType",
    "Address",
    "AppMeta",
    "Base",
    "Campaign",
    "CampaignRecipient",
    "ChangeLog",
    "Civility",
    "Document",
    "DocumentVersion",
    "Dossier",
    "ImportBatch",
    "ImportChange",
    "Organisation",
    "Person",
    "Scenario",
    "ScenarioStep",
    "Sector",
    "Segment",
    "SoftDeleted",
    "Stage",
    "Tag",
    "User",
    "Versioned",
    "Workstation",
    "fold",
    "organisation_tag",
    "person_tag",
    "utcnow",
    "versioned_tables",
]
