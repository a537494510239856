"""The versions registry: MM7 namespace ↔ our schema ↔ generated package ↔ MM7Version values.

TS 23.140 publishes one XML namespace per schema revision
(``…/23.140/schema/REL-5-MM7-1-0`` … ``REL-5-MM7-1-5``, ``REL-6-MM7-1-0`` … ``REL-6-MM7-1-4``), while the
``MM7Version`` element carries the spec version (``5.3.0``, ``6.8.0``…). The two do not map one to one in the
wild (many Rel-5 relays send ``5.3.0`` in whatever Rel-5 namespace they implement), so we model one schema
per release and accept every namespace of that release, reporting a namespace other than ours as a deviation.

On the write side, :data:`REVISIONS` lists every published revision and a :class:`Dialect` is what we speak to
one peer: a revision's namespace plus an MM7Version of its release. :data:`STANDARD_MM_STATUSES` holds, per
release, the delivery-report MMStatus values mm7 emits.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, cast

from mm7.errors import ConfigError, UnsupportedOperationError, UnsupportedVersionError

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message

__all__ = [
    "NAMESPACE_PREFIX",
    "RECEIVE_ONLY_MM_STATUSES",
    "REL5",
    "REL6",
    "REVISIONS",
    "SOAP_ENV_NS",
    "STANDARD_MM_STATUSES",
    "VERSIONS",
    "Dialect",
    "SchemaVersion",
    "for_mm7_version",
    "for_namespace",
    "is_known_namespace",
    "revision_namespace",
    "schemas_dir",
]

SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
NAMESPACE_PREFIX = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/"
_NAMESPACE_RE = re.compile(r"^REL-(\d+)-MM7-(\d+)-(\d+)$")
_MM7_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")  # the schema's pattern for MM7Version

#: Every MM7 schema revision TS 23.140 published, per release, oldest first. Each revision is its own XML
#: namespace (``NAMESPACE_PREFIX + key``): Rel-5 published REL-5-MM7-1-0 … REL-5-MM7-1-5, Rel-6
#: REL-6-MM7-1-0 … REL-6-MM7-1-4. One schema of ours validates every revision of its release (REL5, REL6).
REVISIONS: Mapping[int, tuple[str, ...]] = MappingProxyType(
    {
        5: tuple(f"REL-5-MM7-1-{n}" for n in range(6)),
        6: tuple(f"REL-6-MM7-1-{n}" for n in range(5)),
    }
)

_MM_STATUSES_REL5 = frozenset({"Expired", "Retrieved", "Rejected", "Indeterminate", "Forwarded"})
#: The delivery-report ``MMStatus`` values TS 23.140 defines, per release: the only ones mm7 *emits*
#: (clause 8.7, MM7_delivery_report.REQ "MM Status", and the standard schemas' mmDeliveryStatusType). Rel-5
#: has five; Rel-6 adds Deferred, Unrecognised and DeliveryConditionNotMet. This is the one place to adjust
#: (schemas/README.md, table F6, records the sources).
STANDARD_MM_STATUSES: Mapping[int, frozenset[str]] = MappingProxyType(
    {5: _MM_STATUSES_REL5, 6: _MM_STATUSES_REL5 | {"Deferred", "Unrecognised", "DeliveryConditionNotMet"}}
)
#: Values our schemas accept on *receive* because real relays send them (Sinch documents all three), but
#: that no release of the standard defines: never emitted (``encode`` refuses them).
RECEIVE_ONLY_MM_STATUSES: frozenset[str] = frozenset({"Unrecognized", "NotSupported", "Unreachable"})

_COMMON_OPERATIONS = (
    "SubmitReq", "SubmitRsp", "DeliverReq", "DeliverRsp", "CancelReq", "CancelRsp",
    "ReplaceReq", "ReplaceRsp", "DeliveryReportReq", "DeliveryReportRsp", "ReadReplyReq", "ReadReplyRsp",
    "RSErrorRsp", "VASPErrorRsp",
)  # fmt: skip
_REL6_OPERATIONS = ("extendedCancelReq", "extendedCancelRsp", "extendedReplaceReq", "extendedReplaceRsp")


@functools.cache
def schemas_dir() -> Path:
    """Return the directory holding our XSDs (inside the wheel, or the repository's ``schemas/``)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "schemas", here.parent / "schemas"):
        if (candidate / "soap-envelope-1.1.xsd").exists():
            return candidate
    raise ConfigError(
        f"mm7's schemas are missing (looked in {here / 'schemas'} and {here.parent / 'schemas'})"
    )


@dataclass(frozen=True)
class SchemaVersion:
    """One MM7 schema we ship, and everything tied to it.

    Attributes:
        key: The schema's name, e.g. ``REL-6-MM7-1-4``.
        release: 3GPP release (5 or 6).
        default_mm7_version: ``MM7Version`` sent by default with this schema.
        package: Import name of the generated bindings.
        operations: Local names of the Body elements (operations) the schema defines.
    """

    key: str
    release: int
    default_mm7_version: str
    package: str
    operations: frozenset[str]
    _schema_file: str = field(repr=False, default="")

    @property
    def namespace(self) -> str:
        """The XML namespace of this schema."""
        return NAMESPACE_PREFIX + self.key

    @cached_property
    def xsd_path(self) -> Path:
        """Path of this version's XSD."""
        return schemas_dir() / (self._schema_file or f"{self.key}.xsd")

    @cached_property
    def bindings(self) -> ModuleType:
        """The generated dataclass module for this version (imported on first use)."""
        return importlib.import_module(self.package)

    @cached_property
    def element_classes(self) -> dict[str, type[object]]:
        """Generated classes of this schema's global elements, by element local name."""
        classes: dict[str, type[object]] = {}
        for obj in vars(self.bindings).values():
            meta = getattr(obj, "Meta", None)
            if isinstance(obj, type) and getattr(meta, "namespace", None) == self.namespace:
                classes[getattr(meta, "name", obj.__name__)] = obj
        return classes

    def binding_class(self, operation: str) -> Callable[..., MM7Message]:
        """Return the generated class for a Body element (``SubmitReq``, ``RSErrorRsp``...).

        Raises:
            UnsupportedOperationError: when this version has no such operation.
        """
        if operation not in self.operations or operation not in self.element_classes:
            raise UnsupportedOperationError(f"{operation} is not an MM7 operation of {self.key}")
        return cast("Callable[..., MM7Message]", self.element_classes[operation])

    def operation_of(self, message: object) -> str:
        """Return the element name (operation) of a generated message object of this version."""
        for name, cls in self.element_classes.items():
            if type(message) is cls:
                return name
        raise UnsupportedOperationError(f"{type(message).__name__} is not an MM7 operation of {self.key}")

    def accepts_mm7_version(self, value: str) -> bool:
        """Whether an ``MM7Version`` value belongs to this release (``5.x.y`` for Rel-5, ...)."""
        return value.split(".", 1)[0] == str(self.release)

    def accepts_namespace(self, namespace: str) -> bool:
        """Whether a namespace is one of this release's schema revisions."""
        release = _release_of(namespace)
        return release == self.release

    @property
    def standard_mm_statuses(self) -> frozenset[str]:
        """The delivery-report MMStatus values this release defines: the only ones sent in it."""
        return STANDARD_MM_STATUSES.get(self.release, frozenset())

    @property
    def revisions(self) -> tuple[str, ...]:
        """The namespaces of every published revision of this release, oldest first (ours among them)."""
        return tuple(NAMESPACE_PREFIX + key for key in REVISIONS.get(self.release, ()))


def _release_of(namespace: str) -> int | None:
    if not namespace.startswith(NAMESPACE_PREFIX):
        return None
    match = _NAMESPACE_RE.match(namespace[len(NAMESPACE_PREFIX) :])
    return int(match.group(1)) if match else None


REL5 = SchemaVersion(
    key="REL-5-MM7-1-3",
    release=5,
    default_mm7_version="5.3.0",
    package="mm7_bindings.rel5_mm7_1_3",
    operations=frozenset(_COMMON_OPERATIONS),
)
REL6 = SchemaVersion(
    key="REL-6-MM7-1-4",
    release=6,
    default_mm7_version="6.8.0",
    package="mm7_bindings.rel6_mm7_1_4",
    operations=frozenset(_COMMON_OPERATIONS + _REL6_OPERATIONS),
)
VERSIONS: tuple[SchemaVersion, ...] = (REL5, REL6)


def for_namespace(namespace: str) -> SchemaVersion:
    """Return the schema version that serves an MM7 namespace (any revision of its release).

    Raises:
        UnsupportedVersionError: for a namespace that is not an MM7 schema namespace of Rel-5 or Rel-6.
    """
    release = _release_of(namespace)
    for version in VERSIONS:
        if version.release == release:
            return version
    raise UnsupportedVersionError(f"unsupported MM7 namespace {namespace!r}")


def for_mm7_version(value: str) -> SchemaVersion:
    """Return the schema version to use when sending ``MM7Version`` = ``value`` (e.g. ``"6.8.0"``).

    Raises:
        ConfigError: when no shipped schema serves that version.
    """
    for version in VERSIONS:
        if version.accepts_mm7_version(value) or value == version.key:
            return version
    raise ConfigError(f"no MM7 schema for MM7Version {value!r} (supported: 5.x.y, 6.x.y)")


def is_known_namespace(namespace: str) -> bool:
    """Whether ``namespace`` is the namespace of a published Rel-5 or Rel-6 MM7 schema revision."""
    if not namespace.startswith(NAMESPACE_PREFIX):
        return False
    key = namespace[len(NAMESPACE_PREFIX) :]
    return any(key in keys for keys in REVISIONS.values())


def revision_namespace(value: str) -> str:
    """Return the namespace of a published revision, given as namespace URI or key (``"REL-5-MM7-1-0"``).

    Raises:
        ConfigError: ``value`` is neither a published Rel-5/Rel-6 revision key nor its namespace.
    """
    namespace = value if value.startswith(NAMESPACE_PREFIX) else NAMESPACE_PREFIX + value
    if not is_known_namespace(namespace):
        known = ", ".join(key for keys in REVISIONS.values() for key in keys)
        raise ConfigError(f"{value!r} is not a published MM7 schema revision (known: {known})")
    return namespace


@dataclass(frozen=True)
class Dialect:
    """What we speak to one peer: the MM7 namespace (schema revision) and the ``MM7Version`` value.

    Peers pair the two loosely (many Rel-5 relays send ``5.3.0`` in whichever Rel-5 namespace they
    implement), so both are given explicitly; our schema of the release validates what is sent either way.

    Attributes:
        namespace: The namespace of a published revision. A revision key (``"REL-5-MM7-1-0"``) is accepted
            and stored as the full namespace URI.
        mm7_version: The ``MM7Version`` value, ``x.y.z`` of the namespace's release (``5.3.0``...).

    Raises:
        ConfigError: An unknown namespace, or an MM7Version that is malformed or of another release.
    """

    namespace: str
    mm7_version: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "namespace", revision_namespace(self.namespace))
        if not _MM7_VERSION_RE.match(self.mm7_version):
            raise ConfigError(f"MM7Version {self.mm7_version!r} is not of the form x.y.z")
        if not self.schema.accepts_mm7_version(self.mm7_version):
            raise ConfigError(
                f"MM7Version {self.mm7_version} does not belong to {self.revision} (Rel-{self.release})"
            )

    @classmethod
    def for_revision(cls, revision: str, mm7_version: str | None = None) -> Dialect:
        """The dialect of a revision key (``"REL-5-MM7-1-0"``) or namespace.

        Args:
            revision: The revision key or its namespace URI.
            mm7_version: The MM7Version to send; by default the release's (``5.3.0`` or ``6.8.0``), the
                values most relays of each release expect whatever revision they implement.

        Raises:
            ConfigError: As the constructor.
        """
        namespace = revision_namespace(revision)
        schema = for_namespace(namespace)
        return cls(namespace, mm7_version or schema.default_mm7_version)

    @classmethod
    def from_peer(cls, namespace: str | None, mm7_version: str | None) -> Dialect | None:
        """The dialect a peer spoke, as far as it can be spoken back (to answer it in kind).

        Args:
            namespace: The MM7 namespace the peer used.
            mm7_version: The MM7Version it sent, if any.

        Returns:
            None when ``namespace`` is not a published revision; otherwise the dialect, with the release's
            default MM7Version when ``mm7_version`` is missing, malformed or of another release.
        """
        if not namespace or not is_known_namespace(namespace):
            return None
        schema = for_namespace(namespace)
        if mm7_version and _MM7_VERSION_RE.match(mm7_version) and schema.accepts_mm7_version(mm7_version):
            return cls(namespace, mm7_version)
        return cls(namespace, schema.default_mm7_version)

    @property
    def revision(self) -> str:
        """The revision key, e.g. ``REL-5-MM7-1-0``."""
        return self.namespace[len(NAMESPACE_PREFIX) :]

    @property
    def release(self) -> int:
        """The 3GPP release (5 or 6)."""
        return self.schema.release

    @property
    def schema(self) -> SchemaVersion:
        """Our schema that validates this revision (REL5 or REL6)."""
        return for_namespace(self.namespace)
