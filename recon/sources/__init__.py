"""The sources of a data drop, declared as data (CONTRACT.md §2): one YAML
file per source folder beside this module, as PUDL keeps its column maps.

A declaration gives the folder name, Chinese title, the bureau whose data it
is, what one row is, the key columns that find the header row, whether rows
link to people by 证件号码 alone, and per canonical column its accepted header
names, value kind, value set and spellings. Reader, normaliser, pandera
schema, GX suite, Dagster assets and docs all derive from these; adding a
source is adding its file (and its rules, demo plants and tests).

    SOURCES["system"].columns["户类型"].values   # ('脱贫户', '监测户', '一般农户')
    DATA_SOURCES                                 # the folders reconciled, in order
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
# Value kinds, read by recon/normalise.py:
#   id 证件号码 (CONTRACT.md §3)  name person name      text free text
#   code label of a value set    relation 与户主关系      sex 男/女
#   date day                     month a date or a month  yesno 是/否 → boolean
#   amount yuan → Float64        int whole number        year four-digit year
#   grade housing grade A–D      health labels joined by , or 、
#   codes several labels of a value set in one cell (致贫原因 因病、因残)
#   phone a phone number (CONTRACT.md §2.9), with <col>_ok: well-formed
#   list several free values in one cell (a county's own `list` column), joined by 、
KINDS = ("id", "name", "text", "code", "codes", "relation", "sex", "date", "month", "yesno", "amount", "int", "year",
         "grade", "health", "phone", "list")
_HEADER_NOISE = re.compile(r"[\s\u3000（）()]")


def header_key(cell: str) -> str:
    """A header cell as compared: no whitespace (incl. full-width and line
    breaks) and no brackets of either width."""
    return _HEADER_NOISE.sub("", str(cell))


@dataclass(frozen=True)
class Column:
    name: str
    names: tuple[str, ...]                         # accepted header names, the canonical one first
    kind: str
    values: tuple[str, ...] = ()                   # the labels of a coded column (or relations, health labels)
    spellings: dict[str, str] = field(default_factory=dict)   # another spelling → its label
    minimum: float | None = None                   # a number below it is doubtful (reported)
    note: str = ""                                 # what a user needs to know beyond the kind

    def labels(self) -> dict[str, str]:
        """Every accepted spelling → its label (the labels themselves included)."""
        return {label: label for label in self.values} | dict(self.spellings)


@dataclass(frozen=True)
class Source:
    name: str                       # the folder of the drop
    order: int
    title: str                      # Chinese title
    title_en: str
    rows: str                       # what one row is, for users
    key_columns: tuple[str, ...]    # the header is the first row holding all of them
    columns: dict[str, Column]
    role: str = "data"              # data: reconciled; register: read for the registry (exemptions)
    required: bool = False
    bureau: str | None = None       # the bureau whose data it is (its verification list)
    links_by_id: bool = False       # rows link to people by 证件号码 alone: an unusable ID is an input problem
    village_rows: bool = False      # a row without 证件号码 and 户编号 is about a whole village

    def aliases(self) -> dict[str, str]:
        """header_key(accepted name) → canonical name."""
        mapping: dict[str, str] = {}
        for column in self.columns.values():
            for alias in column.names:
                mapping.setdefault(header_key(alias), column.name)
        return mapping

    def kinds(self) -> dict[str, str]:
        """canonical name → value kind."""
        return {name: column.kind for name, column in self.columns.items()}

    def id_columns(self) -> tuple[str, ...]:
        return tuple(name for name, column in self.columns.items() if column.kind == "id")

    def coded(self) -> dict[str, Column]:
        """Columns whose values must be labels of a value set (one label a cell)."""
        return {name: column for name, column in self.columns.items() if column.kind == "code" and column.values}

    def with_columns(self, extra: dict[str, Column]) -> "Source":
        """This source with a county's own columns (config `columns:`) added:
        read, normalised and cached like its canonical ones."""
        if not extra:
            return self
        return replace(self, columns={**self.columns, **extra})

    def county_columns(self) -> dict[str, Column]:
        """The columns a county added to the declaration (with_columns)."""
        canonical = SOURCES[self.name].columns
        return {name: column for name, column in self.columns.items() if name not in canonical}

    @property
    def label(self) -> str:
        """Title as the Dagster UI and the docs show it."""
        return f"{self.title} / {self.title_en}"


def _column(name: str, spec: dict) -> Column:
    kind = spec["kind"]
    if kind not in KINDS:
        raise ValueError(f"column {name}: unknown kind {kind!r}")
    return Column(name=name, names=tuple(spec["names"]), kind=kind, values=tuple(spec.get("values", ())),
                  spellings=dict(spec.get("spellings", {})), minimum=spec.get("min"), note=spec.get("note", ""))


def _load_file(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _columns(name: str, raw: dict[str, dict], seen: tuple[str, ...] = ()) -> dict[str, Column]:
    """A declaration's columns: those of what it includes first, then its own
    (a column of the same name replaces the included one)."""
    if name in seen:
        raise ValueError(f"source declarations include each other: {' → '.join((*seen, name))}")
    spec = raw[name]
    columns: dict[str, Column] = {}
    for included in spec.get("include", ()):
        columns.update(_columns(included, raw, (*seen, name)))
    columns.update({column: _column(column, body) for column, body in (spec.get("columns") or {}).items()})
    return columns


def load(folder: Path = HERE) -> dict[str, Source]:
    """Every declaration of `folder`, by name in `order`. Files starting with
    `_` hold shared column sets (`_person.yaml` is `include: [person]`)."""
    raw = {path.stem.lstrip("_"): _load_file(path) for path in sorted(folder.glob("*.yaml"))}
    sources = []
    for path in sorted(folder.glob("[!_]*.yaml")):
        spec = raw[path.stem]
        if spec.get("name") != path.stem:
            raise ValueError(f"{path.name}: name must be {path.stem!r}")
        columns = _columns(path.stem, raw)
        missing = [key for key in spec["key_columns"] if key not in columns]
        if missing:
            raise ValueError(f"{path.name}: key columns {missing} are not columns of the source")
        sources.append(Source(
            name=spec["name"], order=int(spec["order"]), title=spec["title"], title_en=spec["title_en"],
            rows=spec["rows"], key_columns=tuple(spec["key_columns"]), columns=columns,
            role=spec.get("role", "data"), required=bool(spec.get("required", False)), bureau=spec.get("bureau"),
            links_by_id=bool(spec.get("links_by_id", False)), village_rows=bool(spec.get("village_rows", False))))
    return {source.name: source for source in sorted(sources, key=lambda s: (s.order, s.name))}


SOURCES: dict[str, Source] = load()
# The folders reconciled (role data), in order; the register (exemptions) is read apart.
DATA_SOURCES: tuple[str, ...] = tuple(name for name, source in SOURCES.items() if source.role == "data")
REQUIRED_SOURCES: tuple[str, ...] = tuple(name for name in DATA_SOURCES if SOURCES[name].required)
PERSON_COLUMNS: dict[str, Column] = _columns("person", {"person": _load_file(HERE / "_person.yaml")})


def source(name: str | Source) -> Source:
    """A source's declaration: the one given (a county's, with its own
    columns), else the package's of that name."""
    return name if isinstance(name, Source) else SOURCES[name]
