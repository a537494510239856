"""The versions registry: MM7 namespace ↔ our schema ↔ generated package ↔ MM7Version values.

TS 23.140 publishes one XML namespace per schema revision
(``…/23.140/schema/REL-5-MM7-1-0`` … ``REL-5-MM7-1-5``, ``REL-6-MM7-1-0`` … ``REL-6-MM7-1-4``), while the
``MM7Version`` element carries the spec version (``5.3.0``, ``6.8.0``…). The two do not map one to one in the
wild (many Rel-5 relays send ``5.3.0`` in whatever Rel-5 namespace they implement), so we model one schema
per release and accept every namespace of that release, reporting a namespace other than ours as a deviation.

On the write side, :data:`REVISIONS` lists every published revision and a :class:`Dialect` is what we speak to
one peer: a revision's namespace plus an MM7Version of its release. :data:`STANDARD_MM_STATUSES` holds, per
release, the delivery-report MMStatus values mm7 emits.

A user's schema set is a version too: :func:`register_schema` (or an entry point of the ``mm7.schemas`` group,
loaded on the first lookup) adds one, with its bindings package, XSD, namespaces and MM7Version values.
Precedence: a registered schema serves exactly the namespaces and MM7Version values it names, ahead of the
built-in schema of its release; everything it does not name stays with the built-in one (REL5, REL6).
"""

from __future__ import annotations

import functools
import importlib
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, cast

from mm7._checks import require, require_strings
from mm7.errors import ConfigError, UnsupportedOperationError, UnsupportedVersionError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

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
    "is_mm7_namespace",
    "register_schema",
    "registered_schemas",
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
        mm7_versions: The MM7Version values a registered schema serves (empty for the built-in ones, which
            serve every value of their release).
        extra_namespaces: Further namespaces a registered schema reads and writes (besides its own).
        registered: Whether the schema was registered (:func:`register_schema`) rather than built in.
    """

    key: str
    release: int
    default_mm7_version: str
    package: str
    operations: frozenset[str]
    _schema_file: str = field(repr=False, default="")
    _namespace: str = field(repr=False, default="")
    _xsd: Path | None = field(repr=False, default=None)
    mm7_versions: frozenset[str] = frozenset()
    extra_namespaces: tuple[str, ...] = ()
    registered: bool = False

    @cached_property
    def namespace(self) -> str:
        """The XML namespace of this schema (its XSD's target namespace).

        Cached: encoding a message reads it several times, as a cache key too (one string, hashed once).
        """
        return self._namespace or NAMESPACE_PREFIX + self.key

    @cached_property
    def xsd_path(self) -> Path:
        """Path of this version's XSD."""
        return self._xsd or schemas_dir() / (self._schema_file or f"{self.key}.xsd")

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

    @cached_property
    def _operations_by_class(self) -> dict[type[object], str]:
        return {cls: name for name, cls in self.element_classes.items()}

    def operation_of(self, message: object) -> str:
        """Return the element name (operation) of a generated message object of this version."""
        name = self._operations_by_class.get(type(message))
        if name is None:
            raise UnsupportedOperationError(f"{type(message).__name__} is not an MM7 operation of {self.key}")
        return name

    def accepts_mm7_version(self, value: str) -> bool:
        """Whether an ``MM7Version`` value belongs to this release (``5.x.y`` for Rel-5, ...)."""
        return value in self.mm7_versions or value.split(".", 1)[0] == str(self.release)

    def accepts_namespace(self, namespace: str) -> bool:
        """Whether a namespace is this schema's: a revision of its release, or one it was registered with."""
        if self.registered:
            return namespace == self.namespace or namespace in self.extra_namespaces
        release = _release_of(namespace)
        return release == self.release

    @property
    def standard_mm_statuses(self) -> frozenset[str]:
        """The delivery-report MMStatus values this release defines: the only ones sent in it."""
        return STANDARD_MM_STATUSES.get(self.release, frozenset())

    @property
    def revisions(self) -> tuple[str, ...]:
        """The namespaces this schema speaks, oldest first.

        Every published revision of its release (ours among them); for a registered schema, its own
        namespace and those it was registered with.
        """
        if self.registered:
            return (self.namespace, *self.extra_namespaces)
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
_BUILT_IN_DEFAULTS = {version.release: version.default_mm7_version for version in VERSIONS}


# ------------------------------------------------------------------------------------------ registry

#: The entry point group a package names its schemas in: each entry point loads a mapping of
#: :func:`register_schema`'s keyword arguments (the entry point's name is the default ``key``).
ENTRY_POINT_GROUP = "mm7.schemas"

_registry_lock = threading.RLock()
_registered: dict[str, SchemaVersion] = {}  # by key, in registration order
_by_namespace: dict[str, SchemaVersion] = {}
_by_mm7_version: dict[str, SchemaVersion] = {}
# Generated class → the version it belongs to (see version_for_class); emptied when the registry changes.
_by_class: dict[type, SchemaVersion | None] = {}
#: "unread", then "reading" (while one thread loads them: a plugin may look schemas up), then "read".
_entry_points_state = "unread"
_entry_points_error: ConfigError | None = None
_LOOSE_RELEASE_RE = re.compile(r"REL-(\d+)-")


def _ensure_entry_points() -> None:
    """Register the schemas of the ``mm7.schemas`` entry points, once per process (on the first lookup).

    Raises:
        ConfigError: An entry point cannot be loaded or registered (on every lookup: nothing is guessed).
    """
    global _entry_points_state, _entry_points_error
    if _entry_points_state == "read":
        if _entry_points_error is not None:
            raise _entry_points_error
        return
    with _registry_lock:  # other threads wait here until the entry points are read
        if _entry_points_state != "unread":
            return  # read meanwhile, or being read by this thread (a lookup while importing a plugin)
        _entry_points_state = "reading"
        from importlib.metadata import entry_points  # costly to import: only on the first lookup

        try:
            for point in entry_points(group=ENTRY_POINT_GROUP):
                _register_entry_point(point)
        except ConfigError as exc:
            _entry_points_error = exc
        finally:
            _entry_points_state = "read"
    if _entry_points_error is not None:
        raise _entry_points_error


def _register_entry_point(point: EntryPoint) -> None:
    where = f"entry point {point.name} ({ENTRY_POINT_GROUP})"
    try:
        spec = point.load()
    except Exception as exc:  # whatever the plugin's import raises, it is a configuration problem
        raise ConfigError(f"{where}: cannot load {point.value}: {exc}") from exc
    if not isinstance(spec, Mapping):
        raise ConfigError(
            f"{where} must name a mapping of register_schema's arguments, not {type(spec).__name__}"
        )
    try:
        register_schema(**{"key": point.name, **spec})
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _target_namespace(xsd: Path) -> str:
    from lxml import etree  # only registering reads an XSD here

    # A local file of the user's: never the network, no entity expansion.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    try:
        root = etree.parse(str(xsd), parser).getroot()
    except (OSError, ValueError, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise ConfigError(f"cannot read the XSD {xsd}: {exc}") from exc
    namespace = root.get("targetNamespace")
    if not namespace:
        raise ConfigError(f"{xsd} has no targetNamespace")
    return str(namespace)


def _release_for(key: str, namespace: str, mm7_versions: frozenset[str]) -> int:
    majors = {int(value.split(".", 1)[0]) for value in mm7_versions}
    if len(majors) > 1:
        raise ConfigError(f"schema {key}: MM7Version values {sorted(mm7_versions)} span several releases")
    match = _LOOSE_RELEASE_RE.search(namespace)
    named = int(match.group(1)) if match else None
    if majors and named is not None and named not in majors:
        raise ConfigError(
            f"schema {key}: namespace {namespace} is Rel-{named} but MM7Version {sorted(mm7_versions)} is not"
        )
    release = majors.pop() if majors else named
    if release is None or release not in REVISIONS:
        raise ConfigError(
            f"schema {key}: give the MM7Version values it serves (5.x.y or 6.x.y); the release cannot be "
            f"told from {namespace}"
        )
    return release


def _numeric(mm7_version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in mm7_version.split("."))


def register_schema(
    *,
    package: str,
    xsd: str | Path,
    namespaces: str | Sequence[str] = (),
    mm7_versions: str | Sequence[str] = (),
    key: str | None = None,
) -> SchemaVersion:
    """Make a schema of yours (``mm7 regenerate --schemas DIR --out DIR --package NAME``) a version of mm7.

    Once registered, :func:`mm7.encode` validates its messages against ``xsd``, :func:`mm7.decode` (and so
    the receiver and ``mm7 validate``) reads its namespaces with its bindings, :class:`mm7.Dialect` and
    ``MM7Client(dialect=...)`` speak them, and the builders use it for its MM7Version values.

    Precedence: the registered schema serves exactly the namespaces and MM7Version values it names, ahead
    of mm7's built-in schema of the same release (register the official ``REL-6-MM7-1-4.xsd`` and it
    replaces ours for that namespace); every other namespace and value stays with the built-in one.
    Registering the same schema again is a no-op, and so is registering mm7's own bindings with their XSD
    (the built-in version is returned).

    Args:
        package: Import name of the generated bindings, e.g. ``"mybindings.rel6_mm7_1_4"`` (the package
            that holds the dataclasses and their ``schema_facts`` module).
        xsd: The XSD the bindings were generated from (messages are validated against it).
        namespaces: The namespaces it serves; the XSD's target namespace (always served) by default.
            Other namespaces are read as this schema and may be written (``encode(namespace=...)``).
        mm7_versions: The MM7Version values it serves (``["6.8.0"]``): messages built with one of them
            use this schema, and the highest is its default. By default none: it is then used by namespace
            only (and sends its release's default MM7Version).
        key: Its name in reports (``mm7 inspect``, ``DecodedMessage.version.key``); by default the last
            segment of its target namespace.

    Returns:
        The schema version, as :func:`for_namespace` will return it.

    Raises:
        ConfigError: The package or its schema facts cannot be imported, the XSD cannot be read, the
            arguments disagree (a namespace list without the XSD's target namespace, MM7Version values of
            several releases), or the key, a namespace or an MM7Version value is taken by another
            registered schema (or the key by a built-in one).
    """
    require("package", package, str)
    require("xsd", xsd, (str, Path))
    require("key", key, str, optional=True)
    given = require_strings("namespaces", namespaces)
    values = frozenset(require_strings("mm7_versions", mm7_versions))
    if not package:
        raise ConfigError("register_schema: package must be a non-empty import name")
    try:
        xsd_path = Path(xsd).resolve()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"register_schema: bad XSD path {xsd!r}: {exc}") from exc
    for builtin in VERSIONS:
        if package == builtin.package:
            same = (xsd_path, key or builtin.key) == (builtin.xsd_path, builtin.key)
            if same and not values and set(given) <= {builtin.namespace}:
                return builtin  # mm7's own schema: served already
            raise ConfigError(
                f"register_schema: {package} are mm7's built-in bindings of {builtin.key}; generate your own "
                "package (mm7 regenerate --schemas DIR --out DIR --package NAME) to register a schema"
            )
    target = _target_namespace(xsd_path)
    if given and target not in given:
        raise ConfigError(
            f"register_schema: namespaces {given} lack {xsd_path.name}'s target namespace {target}"
        )
    extra = tuple(dict.fromkeys(ns for ns in given if ns != target))
    for value in values:
        if not _MM7_VERSION_RE.match(value):
            raise ConfigError(f"register_schema: MM7Version {value!r} is not of the form x.y.z")
    key = key or target.rstrip("/").rsplit("/", 1)[-1]
    release = _release_for(key, target, values)
    try:
        bindings = importlib.import_module(package)
    except Exception as exc:  # whatever importing the package raises, it cannot be registered
        raise ConfigError(f"register_schema: cannot import the bindings package {package}: {exc}") from exc
    operations = frozenset(
        getattr(getattr(obj, "Meta", None), "name", getattr(obj, "__name__", ""))
        for obj in vars(bindings).values()
        if isinstance(obj, type) and getattr(getattr(obj, "Meta", None), "namespace", None) == target
    ) & frozenset(_COMMON_OPERATIONS + (_REL6_OPERATIONS if release >= 6 else ()))
    if not operations:
        raise ConfigError(f"register_schema: {package} has no MM7 operation classes in {target}")
    version = SchemaVersion(
        key=key,
        release=release,
        default_mm7_version=max(values, key=_numeric) if values else _BUILT_IN_DEFAULTS[release],
        package=package,
        operations=operations,
        _namespace=target,
        _xsd=xsd_path,
        mm7_versions=values,
        extra_namespaces=extra,
        registered=True,
    )
    from mm7.codec.schema_model import model_for  # the schema facts must exist: a ConfigError otherwise

    model_for(version)
    with _registry_lock:
        if _registered.get(key) == version:
            return _registered[key]
        if key in _registered or any(builtin.key == key for builtin in VERSIONS):
            raise ConfigError(f"register_schema: a schema named {key} is already registered")
        for namespace in version.revisions:
            if namespace in _by_namespace:
                raise ConfigError(
                    f"register_schema: namespace {namespace} is served by "
                    f"{_by_namespace[namespace].key} already"
                )
        for value in values:
            if value in _by_mm7_version:
                raise ConfigError(
                    f"register_schema: MM7Version {value} is served by {_by_mm7_version[value].key} already"
                )
        _registered[key] = version
        _by_class.clear()
        _by_namespace.update(dict.fromkeys(version.revisions, version))
        _by_mm7_version.update(dict.fromkeys(values, version))
    return version


def registered_schemas() -> tuple[SchemaVersion, ...]:
    """The schemas registered in this process (:func:`register_schema` and entry points), oldest first."""
    _ensure_entry_points()
    return tuple(_registered.values())


def _unregister(key: str) -> None:
    """Forget a registered schema (tests)."""
    with _registry_lock:
        version = _registered.pop(key)
        _by_class.clear()
        for table in (_by_namespace, _by_mm7_version):
            for name in [name for name, served in table.items() if served is version]:
                del table[name]


def version_for_class(cls: type) -> SchemaVersion | None:
    """The schema version a generated class belongs to (its ``Meta.namespace`` and package), or None.

    A registered schema may share a namespace with ours: the package decides. Looked up once per class.
    """
    try:
        return _by_class[cls]
    except KeyError:
        pass
    namespace = getattr(getattr(cls, "Meta", None), "namespace", None)
    module = cls.__module__ + "."
    found = next(
        (v for v in all_versions() if namespace == v.namespace and module.startswith(v.package + ".")), None
    )
    with _registry_lock:
        _by_class[cls] = found
    return found


def all_versions() -> tuple[SchemaVersion, ...]:
    """Every schema version known in this process: the registered ones first, then the built-in ones."""
    return (*registered_schemas(), *VERSIONS)


def for_namespace(namespace: str) -> SchemaVersion:
    """Return the schema version that serves an MM7 namespace.

    A registered schema naming it, else ours of its release (any published revision).

    Raises:
        UnsupportedVersionError: for a namespace that no registered schema names and that is not an MM7
            schema namespace of Rel-5 or Rel-6.
    """
    _ensure_entry_points()
    registered = _by_namespace.get(namespace)
    if registered is not None:
        return registered
    release = _release_of(namespace)
    for version in VERSIONS:
        if version.release == release:
            return version
    raise UnsupportedVersionError(f"unsupported MM7 namespace {namespace!r}")


def for_mm7_version(value: str) -> SchemaVersion:
    """Return the schema version to use when sending ``MM7Version`` = ``value`` (e.g. ``"6.8.0"``).

    A registered schema naming that value (or a registered schema's key), else ours of the release.

    Raises:
        ConfigError: when no schema serves that version.
    """
    _ensure_entry_points()
    registered = _by_mm7_version.get(value) or _registered.get(value)
    if registered is not None:
        return registered
    for version in VERSIONS:
        if version.accepts_mm7_version(value) or value == version.key:
            return version
    raise ConfigError(f"no MM7 schema for MM7Version {value!r} (supported: 5.x.y, 6.x.y)")


def is_known_namespace(namespace: str) -> bool:
    """Whether ``namespace`` is a published Rel-5/Rel-6 MM7 revision or one a registered schema names."""
    _ensure_entry_points()
    if namespace in _by_namespace:
        return True
    if not namespace.startswith(NAMESPACE_PREFIX):
        return False
    key = namespace[len(NAMESPACE_PREFIX) :]
    return any(key in keys for keys in REVISIONS.values())


def is_mm7_namespace(namespace: str | None) -> bool:
    """Whether an element in ``namespace`` is MM7's: under 3GPP's schema prefix, or a registered namespace."""
    if not namespace:
        return False
    if namespace.startswith(NAMESPACE_PREFIX):
        return True
    _ensure_entry_points()
    return namespace in _by_namespace


def revision_namespace(value: str) -> str:
    """Return the namespace of a published revision or a registered schema, given as URI or key.

    Keys are ``"REL-5-MM7-1-0"`` (a published revision) or a registered schema's key.

    Raises:
        ConfigError: ``value`` is neither a published Rel-5/Rel-6 revision, a registered schema's namespace
            or key, nor a published revision's key.
    """
    _ensure_entry_points()
    if value in _registered:
        return _registered[value].namespace
    namespace = (
        value if value.startswith(NAMESPACE_PREFIX) or value in _by_namespace else NAMESPACE_PREFIX + value
    )
    if not is_known_namespace(namespace):
        known = ", ".join([*(key for keys in REVISIONS.values() for key in keys), *_registered])
        raise ConfigError(
            f"{value!r} is not a published MM7 schema revision nor a registered schema (known: {known})"
        )
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
        """The revision key, e.g. ``REL-5-MM7-1-0`` (a registered namespace elsewhere: the namespace)."""
        if self.namespace.startswith(NAMESPACE_PREFIX):
            return self.namespace[len(NAMESPACE_PREFIX) :]
        return self.namespace

    @property
    def release(self) -> int:
        """The 3GPP release (5 or 6)."""
        return self.schema.release

    @property
    def schema(self) -> SchemaVersion:
        """The schema that validates this revision (a registered one naming it, else REL5 or REL6)."""
        return for_namespace(self.namespace)
