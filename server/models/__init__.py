"""The models. ``ALL_MODELS`` in creation order; the engine learns which replicate."""

from __future__ import annotations

from .base import (
    ApiToken,
    ContentVersion,
    HomeVersion,
    LocalNode,
    ReplicatedModel,
    RowHistory,
    SyncName,
    SyncVector,
    WebSession,
)
from .content import (
    Activity,
    ActivitySkill,
    Asset,
    ContentPack,
    Item,
    Skill,
    SkillFit,
    SkillPrerequisite,
)
from .district import (
    AcademicSession,
    AuditEntry,
    RollupActive,
    RollupContent,
    RollupDay,
    RollupMark,
    RollupMastery,
    RollupSkill,
    XapiSent,
)
from .learning import (
    Answer,
    Assignment,
    Attempt,
    Feedback,
    Goal,
    Reflection,
    UnclaimedWork,
    WorkSeen,
)
from .media import Photo
from .peers import PairingCode, Peer, SharedSecret, SignInFailure, SyncRun
from .school import Classroom, Enrollment, Group, GroupMember, LearnerProfile, Person, School

ALL_MODELS = (
    LocalNode,
    ApiToken,
    WebSession,
    SyncName,
    SyncVector,
    Peer,
    PairingCode,
    SharedSecret,
    SignInFailure,
    SyncRun,
    RowHistory,
    School,
    Classroom,
    Person,
    Enrollment,
    Group,
    GroupMember,
    LearnerProfile,
    ContentPack,
    Skill,
    SkillPrerequisite,
    Activity,
    ActivitySkill,
    Item,
    Asset,
    SkillFit,
    Assignment,
    Goal,
    Attempt,
    Answer,
    Reflection,
    Feedback,
    Photo,
    WorkSeen,
    UnclaimedWork,
    RollupMark,
    RollupDay,
    RollupActive,
    RollupSkill,
    RollupMastery,
    RollupContent,
    AuditEntry,
    XapiSent,
    AcademicSession,
    ContentVersion,
    HomeVersion,
)


def replicated_models() -> tuple[type[ReplicatedModel], ...]:
    """The models that sync, as the engine learns them."""
    return tuple(m for m in ALL_MODELS if issubclass(m, ReplicatedModel))


__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS", "replicated_models"]
