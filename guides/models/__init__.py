"""The guides app's models, one module per job; imported here so Django finds
them and the rest of the project names them as `guides.models.X`."""

from guides.models.choices import (
    PUBLISH_PERMISSION,
    PUBLISHER_STATUSES,
    STEP_FACTS,
    Audience,
    Channel,
    DurationUnit,
    Fact,
    Status,
    VerificationMethod,
)
from guides.models.claims import (
    Claim,
)
from guides.models.feedback import (
    OPEN_REPORT_STATUSES,
    FailingStep,
    Outcome,
    Report,
    ReportStatus,
)
from guides.models.guide import (
    ContactLinkKind,
    DocumentForm,
    OldAddress,
    Procedure,
    Requirement,
    Step,
    StepLogic,
)
from guides.models.reference import (
    Advice,
    Document,
    DocumentKind,
    Source,
    SourceKind,
    Task,
)
from guides.models.review import (
    ReviewNote,
    ReviewNoteKind,
)
from guides.models.searches import (
    MissedSearch,
)
from guides.models.updates import (
    CHANGE_LABELS,
    PUBLIC_CHANGES,
    Update,
    UpdateKind,
)
from guides.models.verification import (
    RecheckInterval,
    Verification,
)
from guides.models.watch import (
    SourceCheck,
    SourceCheckResult,
)

__all__ = [
    "CHANGE_LABELS",
    "OPEN_REPORT_STATUSES",
    "PUBLIC_CHANGES",
    "PUBLISHER_STATUSES",
    "PUBLISH_PERMISSION",
    "STEP_FACTS",
    "Advice",
    "Audience",
    "Channel",
    "Claim",
    "ContactLinkKind",
    "Document",
    "DocumentForm",
    "DocumentKind",
    "DurationUnit",
    "Fact",
    "FailingStep",
    "MissedSearch",
    "OldAddress",
    "Outcome",
    "Procedure",
    "RecheckInterval",
    "Report",
    "ReportStatus",
    "Requirement",
    "ReviewNote",
    "ReviewNoteKind",
    "Source",
    "SourceCheck",
    "SourceCheckResult",
    "SourceKind",
    "Status",
    "Step",
    "StepLogic",
    "Task",
    "Update",
    "UpdateKind",
    "Verification",
    "VerificationMethod",
]
