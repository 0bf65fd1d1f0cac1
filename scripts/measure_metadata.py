"""Measure the metadata read from the national reports' own text against their catalogues.

Usage: python scripts/measure_metadata.py [--folder ../shared/national] [--limit N] [--match TEXT]
                                          [--workers N] [--blind-names] [--json FILE]
                                          [--hand-check tests/data/sif_hand_check.toml]
                                          [--code-root DIR]

Every PDF listed in the folder's `catalogue.csv` (childrens-services/, area-send/) and
`history/catalogue.csv` (history/) is read by the project's own reading (`ingest.load.
load_documents`, whose describe step fills `DocumentInfo`), with no embedding and no index. Each
field the catalogue gives is then compared with what was read:

- council: `local_authority` against `council`, both through the taxonomy's names (see `canonical`);
- kind: `doc_type` against the kind ids the catalogue's `report` column stands for (KIND_OF_REPORT);
- published: `published` against `published` (ISO dates);
- inspection_start / inspection_end: the first and last date of `inspection_dates` against the
  history catalogue's dd/mm/yyyy dates;
- lead_inspector: `lead_inspector` without its role ("HMI", "His Majesty's Inspector") against
  `lead_inspector`;
- overall_effectiveness, impact_of_leaders, help_and_protection, children_in_care, care_leavers:
  the report's judgements, each mapped to one of these areas by its wording through the
  taxonomy's vocabulary of judgement areas (`judgement_wordings` in assistant/core/taxonomy.toml),
  against the history catalogue's columns of the same names.

A report is read *right* when the value equals the catalogue's after normalising case, white
space, quotes and dashes (`norm`); an empty reading is *not read*, never right; any other value is
*wrong* and listed as a disagreement. Where the catalogue is empty the field is not counted. The
catalogue is a check, not truth: values found wrong by reading the page are corrected in
CATALOGUE_CORRECTIONS (each with the reason), and the disagreement list says so.

Note: the reader takes `published` from an ISO date in the file's name when there is one, and
these files are named by their catalogue date, so that field measures the name. `--blind-names`
reads a copy of each file under a neutral name (`report-0001.pdf`), so that every field comes
from the text alone.

`--hand-check FILE` scores the same reading of a hand-checked sample (tests/data/
sif_hand_check.toml: SIF reports read by hand against page 1 and the LSCB review's page) per
field and per judgement, the LSCB review and adoption performance included.

`--code-root DIR` puts another tree of the project (an older commit extracted with `git archive`)
first on sys.path, so the same measurement runs on that code. The judgement-area vocabulary and
the date-range reading are that tree's when it has them, else this repository's (read from its
files, which import nothing of the project), so an older tree is measured by the same yardstick.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.util
import json
import re
import shutil
import sys
import tempfile
import time
import tomllib
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# --- the data the comparison rests on ------------------------------------------------------------

# The history catalogue's judgement columns, in its order. Their names are the ids of the
# taxonomy's judgement areas (assistant/core/taxonomy.toml, `[[judgement_area]]`), to which a
# report's wordings are mapped by its `judgement_wordings` (`area_of`).
JUDGEMENT_AREAS = (
    "overall_effectiveness",
    "impact_of_leaders",
    "help_and_protection",
    "children_in_care",
    "care_leavers",
)
# Areas a SIF grid has besides those (scored only against the hand check).
SIF_ONLY_AREAS = ("adoption_performance", "lscb")
FIELDS = ("council", "kind", "published", "inspection_start", "inspection_end", "lead_inspector", *JUDGEMENT_AREAS)

# Grades that are one grade in several spellings: ILACS writes "Requires improvement to be good",
# the scraper's catalogue "requires improvement", a SIF sentence "children's services require
# improvement".
GRADE_SAME = {"requires improvement to be good": "requires improvement", "require improvement": "requires improvement"}

# The catalogue's `report` column -> the taxonomy kind ids (assistant/core/taxonomy.toml) it
# stands for. The latest inspection (childrens-services/) is "Ofsted inspection of local authority
# children's services" whatever its framework: standard or short ILACS, told apart by the reader
# but not by the catalogue, or the April 2026 framework (FRAMEWORK_2026).
KIND_OF_REPORT: dict[str, tuple[str, ...]] = {
    "Single inspection framework (SIF)": ("sif",),
    "ILACS standard inspection": ("ilacs",),
    "ILACS short inspection": ("ilacs_short",),
    "Area SEND inspection (Ofsted and CQC)": ("area_send",),
    "Ofsted inspection of local authority children's services": ("ilacs", "ilacs_short"),
    "Ofsted children's services inspection": (),  # not said: KIND_BY_HAND
}
# The reports of childrens-services/ inspected under the April 2026 framework (inspected from
# 27 April 2026, a grid of four judgements and no overall effectiveness), checked by hand on
# page 1; the catalogue does not tell them from the earlier framework.
FRAMEWORK_2026 = frozenset(
    f"childrens-services/{name}.pdf"
    for name in (
        "blackpool-childrens-services-2026-07-28",
        "brent-childrens-services-2026-06-17",
        "lancashire-childrens-services-2026-08-20",
        "liverpool-childrens-services-2026-07-07",
        "middlesbrough-childrens-services-2026-07-28",
        "north-northamptonshire-childrens-services-2026-07-07",
        "portsmouth-childrens-services-2026-08-18",
        "somerset-childrens-services-2026-06-17",
        "south-tyneside-childrens-services-2026-08-04",
        "west-northamptonshire-childrens-services-2026-07-07",
    )
)
# The history reports whose catalogue kind says no framework, read by hand on page 1: the four
# of 2018 are SIF re-inspections (the SIF grid, "Re-inspection of services for children in need
# of help and protection..."); the other two are two-week ILACS standard inspections.
KIND_BY_HAND = {
    "history/lancashire-childrens-services-2018-08-17.pdf": "sif",
    "history/sunderland-childrens-services-2018-07-25.pdf": "sif",
    "history/torbay-childrens-services-2018-08-24.pdf": "sif",
    "history/wandsworth-childrens-services-2018-07-20.pdf": "sif",
    "history/redcar-and-cleveland-childrens-services-2022-09-22.pdf": "ilacs",
    "history/wiltshire-childrens-services-2019-07-22.pdf": "ilacs",
}
# (file, field) -> (the value the page gives, why): catalogue values found wrong by reading the
# report. A reading equal to the page's value counts as right; the disagreement list notes it.
# An empty value: the field is not counted (the page gives no such value).
_NOT_FOUND = "not a report: Ofsted's 'Report not found' web page, saved as a PDF"
_LAC_2013 = "page 1: 'Inspection of looked after children services' (2013), the framework before SIF: no taxonomy kind"
_GRID = "page 1's grid: Requires improvement to be good"
CATALOGUE_CORRECTIONS: dict[tuple[str, str], tuple[str, str]] = {
    **{
        (f"history/{name}-childrens-services-2012-{date}.pdf", fname): ("", _NOT_FOUND)
        for name, date in (
            ("birmingham", "10-19"),
            ("blackpool", "07-13"),
            ("bromley", "08-17"),
            ("rotherham", "08-10"),
        )
        for fname in ("council", "kind", "published")
    },
    **{
        (f"history/{name}-childrens-services-2013-{date}.pdf", "kind"): ("", _LAC_2013)
        for name, date in (("kent", "08-23"), ("medway", "08-23"), ("norfolk", "08-16"), ("sandwell", "08-02"))
    },
    ("history/doncaster-childrens-services-2018-01-19.pdf", "kind"): (
        "sif",
        "page 1: 'Re-inspection of services for children in need of help and protection, children looked after "
        "and care leavers' with the SIF grid (inspected November 2017); the catalogue calls it an ILACS standard inspection",
    ),
    ("history/nottingham-childrens-services-2019-01-07.pdf", "overall_effectiveness"): ("requires improvement", _GRID),
    ("history/nottingham-childrens-services-2019-01-07.pdf", "help_and_protection"): ("requires improvement", _GRID),
    ("history/southend-on-sea-childrens-services-2019-08-27.pdf", "overall_effectiveness"): (
        "requires improvement",
        _GRID,
    ),
    ("history/southend-on-sea-childrens-services-2019-08-27.pdf", "help_and_protection"): (
        "requires improvement",
        _GRID,
    ),
    ("history/oxfordshire-childrens-services-2018-05-22.pdf", "children_in_care"): (
        "good",
        "page 1's grid: children in care and care leavers Good",
    ),
    ("history/rochdale-childrens-services-2018-03-12.pdf", "children_in_care"): (
        "good",
        "page 1's grid: children in care and care leavers Good",
    ),
    ("history/redcar-and-cleveland-childrens-services-2022-09-22.pdf", "care_leavers"): (
        "",
        "page 1 grades children in care and care leavers together (scored under children_in_care)",
    ),
    ("history/derbyshire-childrens-services-2019-09-19.pdf", "inspection_end"): (
        "2019-08-08",
        "page 1: '8 July 2019 to 12 July 2019 and 7 August 2019 to 8 August 2019'; the catalogue ends the first visit",
    ),
    ("history/south-tyneside-childrens-services-2023-05-10.pdf", "inspection_end"): (
        "2023-02-15",
        "page 1: '5 to 9 December 2022 and 14 to 15 February 2023'; the catalogue ends the first visit",
    ),
}

# A lead inspector's role after the name: "Lisa Summers, Her Majesty's Inspector", "Jo Smith HMI".
_ROLE = re.compile(
    r"[,\s]+(?:(?:her|his) majesty['’]?s inspector|hmi|ofsted inspector|social care regulatory inspector|"
    r"lead inspector|cqc inspector)\b.*$",
    re.I,
)
_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-", "\u00a0": " "})


def norm(text: str) -> str:
    """Lower case, NFKC, straight quotes, one kind of dash, one space for any white space, no
    spaces around dashes, no closing full stop: the form two values are compared in."""
    text = unicodedata.normalize("NFKC", text or "").translate(_TRANSLATE).lower()
    text = re.sub(r"\s*-\s*", "-", " ".join(text.split()))
    return text.rstrip(" .")


def grade(text: str) -> str:
    value = norm(text)
    return GRADE_SAME.get(value, value)


def area_of(wording: str) -> str:
    """The area (JUDGEMENT_AREAS or SIF_ONLY_AREAS) a judgement's wording names, or ""."""
    area = _taxonomy_module().load_taxonomy().judgement_area(wording)
    return area.id if area is not None else ""


def date_range(text: str) -> tuple[str, str]:
    """The first and last day of inspection dates as written, as ISO dates (`assistant.core.dates.date_range`)."""
    return _project_module("assistant.core.dates", "date_range").date_range(text)


def _taxonomy_module() -> Any:
    return _project_module("assistant.core.taxonomy", "JudgementArea")


def _project_module(name: str, needs: str) -> Any:
    """The imported tree's module `name` when it defines `needs`; else this repository's file of
    it, loaded on its own (an older --code-root predates it; the file imports only the standard
    library)."""
    module = importlib.import_module(name)
    if hasattr(module, needs):
        return module
    own = f"_measure_{name.replace('.', '_')}"
    if own not in sys.modules:
        spec = importlib.util.spec_from_file_location(own, REPO / (name.replace(".", "/") + ".py"))
        assert spec is not None and spec.loader is not None
        sys.modules[own] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[own])
    return sys.modules[own]


def iso_of(ddmmyyyy: str) -> str:
    """ "05/11/2018" -> "2018-11-05"; an ISO date as it is; "" otherwise."""
    text = (ddmmyyyy or "").strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    return text if re.fullmatch(r"\d{4}-\d\d-\d\d", text) else ""


def lead_name(text: str) -> str:
    """A lead inspector's name without the role written after it."""
    return _ROLE.sub("", " ".join((text or "").split())).strip(" ,.")


def canonical(name: str, taxonomy: Any) -> str:
    """A council's name as the taxonomy's `local_authorities` spells it, through
    `authority_key` on both sides ("Metropolitan Borough of Barnsley Council" -> "Barnsley",
    "Hull" -> "Kingston upon Hull"); a name the taxonomy does not know, its key (or itself
    normalised when every word is one `authority_key` drops, as in "City of London")."""
    key = taxonomy.authority_key(name)
    whole = norm(name)
    for written, canon in taxonomy.authority_names:
        if (key and taxonomy.authority_key(written) == key) or norm(written) == whole:
            return canon
    return key or whole


# --- catalogue and reading -----------------------------------------------------------------------


def read_catalogues(folder: Path) -> list[dict[str, Any]]:
    """Every catalogued PDF with its layout (the catalogue's `report`, the April 2026 framework
    apart) and `expected`: field -> accepted values (an empty tuple: not given)."""
    rows: list[dict[str, str]] = []
    for path in (folder / "catalogue.csv", folder / "history" / "catalogue.csv"):
        if path.exists():
            with open(path, newline="", encoding="utf-8") as handle:
                rows += [row for row in csv.DictReader(handle) if row.get("file", "").endswith(".pdf")]
    return [catalogue_entry(row) for row in rows]


def catalogue_entry(row: dict[str, str]) -> dict[str, Any]:
    """One catalogue row as the fields the reading is compared with."""
    file, report = row["file"], row.get("report", "")
    kinds = KIND_OF_REPORT.get(report, ())
    if file in FRAMEWORK_2026:
        kinds = ("ilacs_2026",)
    if file in KIND_BY_HAND:
        kinds = (KIND_BY_HAND[file],)
    expected: dict[str, tuple[str, ...]] = {
        "council": _given(row.get("council")),
        "kind": kinds,
        "published": _given(row.get("published")),
        "inspection_start": _given(iso_of(row.get("inspection_start", ""))),
        "inspection_end": _given(iso_of(row.get("inspection_end", ""))),
        "lead_inspector": _given(row.get("lead_inspector")),
    }
    for area in JUDGEMENT_AREAS:
        expected[area] = _given(row.get(area))
    corrected = []
    for fname in FIELDS:
        if (file, fname) in CATALOGUE_CORRECTIONS:
            value, why = CATALOGUE_CORRECTIONS[(file, fname)]
            corrected.append({"field": fname, "catalogue": list(expected[fname]), "page": value, "why": why})
            expected[fname] = _given(value)
    layout = report + (" (April 2026 framework)" if file in FRAMEWORK_2026 else "")
    return {"file": file, "layout": layout or "(none)", "expected": expected, "corrected": corrected}


def _given(value: str | None) -> tuple[str, ...]:
    return (value.strip(),) if value and value.strip() else ()


def readings(info: Any) -> dict[str, str]:
    """What the reader gives for each field, from a `DocumentInfo` (empty: not read)."""
    start, end = date_range(info.inspection_dates)
    out = {
        "council": info.local_authority,
        "kind": info.doc_type if info.doc_type not in ("unknown", "other") else "",
        "published": info.published,
        "inspection_start": start or ("?" + info.inspection_dates if info.inspection_dates else ""),
        "inspection_end": end or ("?" + info.inspection_dates if info.inspection_dates else ""),
        "lead_inspector": lead_name(info.lead_inspector),
    }
    for area in (*JUDGEMENT_AREAS, *SIF_ONLY_AREAS):
        out[area] = ""
    for wording, value in info.judgements:
        area = area_of(wording)
        if area and not out[area]:
            out[area] = value
    return out


def verdict(field: str, read: str, expected: tuple[str, ...], taxonomy: Any) -> str:
    """ "right", "wrong" or "not read" (an empty reading); "" when the catalogue gives nothing."""
    if not expected:
        return ""
    if not (read or "").strip():
        return "not read"
    if field == "council":
        return "right" if canonical(read, taxonomy) in {canonical(e, taxonomy) for e in expected} else "wrong"
    if field in JUDGEMENT_AREAS or field in SIF_ONLY_AREAS:
        return "right" if grade(read) in {grade(e) for e in expected} else "wrong"
    if field == "lead_inspector":
        return "right" if norm(lead_name(read)) in {norm(lead_name(e)) for e in expected} else "wrong"
    return "right" if norm(read) in {norm(e) for e in expected} else "wrong"


def read_reports(
    folder: Path, files: list[str], *, workers: int = 0, blind: bool = False, batch: int = 48
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """file -> DocumentInfo read by `ingest.load.load_documents` (in worker processes), and the
    files that failed with their reason. Progress goes to stderr."""
    from assistant import Settings
    from ingest.load import load_documents

    settings = Settings(ingest_workers=workers)
    infos: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="measure-metadata-") as scratch:
        for at in range(0, len(files), batch):
            chunk = files[at : at + batch]
            if blind:
                root = Path(scratch) / f"batch{at}"
                root.mkdir()
                names = {}
                for i, file in enumerate(chunk, at + 1):
                    copy = root / f"report-{i:04d}.pdf"
                    shutil.copyfile(folder / file, copy)
                    names[copy.name] = file
                docs, failed = load_documents(root, [root / n for n in names], settings)
                back = {n: names[n] for n in names}
            else:
                root, back = folder, {f: f for f in chunk}
                docs, failed = load_documents(folder, [folder / f for f in chunk], settings)
            for doc in docs:
                infos[back.get(doc.info.file, doc.info.file)] = doc.info
            for error in failed:
                name = Path(error.path).name if blind else _relative(root, error.path)
                errors.append({"file": back.get(name, name), "reason": error.reason})
            if blind:
                shutil.rmtree(root)
            done = min(at + batch, len(files))
            print(
                f"\rread {done}/{len(files)} files, {time.perf_counter() - started:.0f} s",
                end="",
                file=sys.stderr,
                flush=True,
            )
    print(file=sys.stderr)
    return infos, errors


def _relative(folder: Path, path: Any) -> str:
    try:
        return Path(path).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(path)


def compare(entries: list[dict[str, Any]], infos: dict[str, Any], taxonomy: Any) -> list[dict[str, Any]]:
    """One row per (report, field) the catalogue gives: file, layout, field, read, catalogue,
    verdict (a report that failed to load is "not read" everywhere)."""
    rows = []
    for entry in entries:
        info = infos.get(entry["file"])
        read = readings(info) if info is not None else {}
        corrected = {c["field"]: c for c in entry["corrected"]}
        for fname in FIELDS:
            expected = entry["expected"][fname]
            value = read.get(fname, "")
            found = verdict(fname, value, expected, taxonomy)
            if not found:
                continue
            row = {
                "file": entry["file"],
                "layout": entry["layout"],
                "field": fname,
                "read": value,
                "catalogue": " | ".join(expected),
                "verdict": found,
            }
            if fname in corrected:
                row["catalogue_said"] = " | ".join(corrected[fname]["catalogue"])
                row["note"] = corrected[fname]["why"]
            rows.append(row)
    return rows


# --- the hand check ------------------------------------------------------------------------------


def load_hand_check(path: Path) -> list[dict[str, Any]]:
    """The hand-checked reports of a TOML file (`[[report]]` tables), as written."""
    with open(path, "rb") as handle:
        return list(tomllib.load(handle).get("report", []))


def hand_expected(report: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Field -> value of one hand-checked report, judgements mapped to areas by their wording."""
    out: dict[str, tuple[str, ...]] = {
        "council": _given(report.get("council")),
        "kind": _given(report.get("kind", "sif")),
        "published": _given(report.get("published")),
        "inspection_start": _given(report.get("inspection_start")),
        "inspection_end": _given(report.get("inspection_end")),
        "lead_inspector": _given(report.get("lead_inspector")),
    }
    for area in (*JUDGEMENT_AREAS, *SIF_ONLY_AREAS):
        out[area] = ()
    for judgement in report.get("judgements", []):
        area = area_of(judgement["area"])
        if area and not out[area]:
            out[area] = _given(judgement["grade"])
    out["lscb"] = out["lscb"] or _given(report.get("lscb"))
    return out


def compare_hand(reports: list[dict[str, Any]], infos: dict[str, Any], taxonomy: Any) -> list[dict[str, Any]]:
    rows = []
    for report in reports:
        info = infos.get(report["file"])
        read = readings(info) if info is not None else {}
        for fname, expected in hand_expected(report).items():
            value = read.get(fname, "")
            found = verdict(fname, value, expected, taxonomy)
            if found:
                rows.append(
                    {
                        "file": report["file"],
                        "layout": "SIF (hand check)",
                        "field": fname,
                        "read": value,
                        "catalogue": " | ".join(expected),
                        "verdict": found,
                    }
                )
    return rows


# --- the report ----------------------------------------------------------------------------------


def tally(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"given": len(rows), "right": 0, "wrong": 0, "not read": 0}
    for row in rows:
        counts[row["verdict"]] += 1
    return counts


def _share(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.1f}%)" if whole else "-"


def field_table(rows: list[dict[str, Any]], fields: tuple[str, ...] = FIELDS, against: str = "catalogue") -> list[str]:
    out = [
        f"| field | reports with a {against} value | read right | read wrong | not read |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    by_field = defaultdict(list)
    for row in rows:
        by_field[row["field"]].append(row)
    for fname in fields:
        if fname not in by_field:
            continue
        c = tally(by_field[fname])
        out.append(
            f"| {fname} | {c['given']} | {_share(c['right'], c['given'])} | {_share(c['wrong'], c['given'])} "
            f"| {_share(c['not read'], c['given'])} |"
        )
    return out


def layout_table(rows: list[dict[str, Any]]) -> list[str]:
    """Per layout: reports, then the share read right of each field (right/given)."""
    layouts = sorted({row["layout"] for row in rows})
    present = [f for f in FIELDS if any(row["field"] == f for row in rows)]
    out = [
        "| layout | reports | " + " | ".join(present) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in present) + " |",
    ]
    for layout in layouts:
        mine = [row for row in rows if row["layout"] == layout]
        cells = []
        for fname in present:
            c = tally([row for row in mine if row["field"] == fname])
            cells.append(
                f"{c['right']}/{c['given']} ({100 * c['right'] / c['given']:.0f}%)"
                + (f", {c['not read']} not read" if c["not read"] else "")
                if c["given"]
                else "-"
            )
        out.append(f"| {layout} | {len({row['file'] for row in mine})} | " + " | ".join(cells) + " |")
    return out


def wording_table(infos: dict[str, dict[str, Any]]) -> list[str]:
    """How many spellings of each judgement area the reading gives (one vocabulary is one), and
    the wordings that map to no area."""
    spellings: dict[str, set[str]] = defaultdict(set)
    reports: dict[str, set[str]] = defaultdict(set)
    for file, info in infos.items():
        for wording, _ in info["judgements"]:
            area = area_of(wording) or "(no area)"
            spellings[area].add(" ".join(wording.split()))
            reports[area].add(file)
    out = [
        "## Judgement-area wordings read",
        "",
        "| area | reports | distinct wordings | examples |",
        "| --- | ---: | ---: | --- |",
    ]
    for area in (*JUDGEMENT_AREAS, *SIF_ONLY_AREAS, "(no area)"):
        if area in spellings:
            shown = sorted(spellings[area], key=len)[:3]
            examples = "; ".join(f'"{_cell(w[:60])}{"…" if len(w) > 60 else ""}"' for w in shown)
            out.append(f"| {area} | {len(reports[area])} | {len(spellings[area])} | {examples} |")
    return out + [""]


def _cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def listing(rows: list[dict[str, Any]], wanted: str, against: str = "catalogue") -> list[str]:
    chosen = [row for row in rows if row["verdict"] == wanted]
    if not chosen:
        return ["None.", ""]
    out = [f"| file | field | read | {against} |", "| --- | --- | --- | --- |"]
    for row in sorted(chosen, key=lambda r: (FIELDS.index(r["field"]) if r["field"] in FIELDS else 99, r["file"])):
        note = f" (catalogue said {row['catalogue_said']}: {row['note']})" if row.get("note") else ""
        out.append(f"| `{row['file']}` | {row['field']} | {_cell(row['read'])} | {_cell(row['catalogue'])}{note} |")
    return out + [""]


def report(run: dict[str, Any]) -> str:
    rows = run["rows"]
    out = [
        f"# Metadata read from {run['reports']} national reports, against the catalogues",
        "",
        f"Code: `{run['loader']}`; folder: `{run['folder']}`; names: "
        + (
            "neutral (`--blind-names`: every field from the text)"
            if run["blind"]
            else "as published (`published` comes from the file name)"
        )
        + f"; read {run['read']}, failed {len(run['errors'])}; {run['seconds']:.0f} s.",
        "",
        "## Per field",
        "",
        *field_table(rows),
        "",
        "## Per layout (share read right, of the reports whose catalogue gives the field)",
        "",
        *layout_table(rows),
        "",
    ]
    if run.get("hand_rows") is not None:
        out += hand_section(run)
    out += [
        f"## Disagreements ({sum(1 for r in rows if r['verdict'] == 'wrong')})",
        "",
        *listing(rows, "wrong"),
        f"## Not read ({sum(1 for r in rows if r['verdict'] == 'not read')})",
        "",
        *listing(rows, "not read"),
    ]
    out += wording_table(run["infos"])
    corrections = [(e["file"], c) for e in run["entries"] for c in e["corrected"]]
    if corrections:
        out += [
            f"## Catalogue values corrected by reading the page ({len(corrections)}, CATALOGUE_CORRECTIONS)",
            "",
            "| file | field | catalogue | page | why |",
            "| --- | --- | --- | --- | --- |",
            *[
                f"| `{file}` | {c['field']} | {_cell(' | '.join(c['catalogue']))} | {_cell(c['page']) or '(not counted)'} "
                f"| {_cell(c['why'])} |"
                for file, c in corrections
            ],
            "",
        ]
    if run["errors"]:
        out += ["## Failed to load", "", *[f"- `{e['file']}`: {e['reason']}" for e in run["errors"]], ""]
    return "\n".join(out) + "\n"


def hand_section(run: dict[str, Any]) -> list[str]:
    """The report's part on the hand-checked sample: per field, then its disagreements."""
    return [
        f"## Hand-checked sample ({run['hand_reports']} SIF reports, `{run['hand_file']}`)",
        "",
        *field_table(run["hand_rows"], (*FIELDS, *SIF_ONLY_AREAS), against="hand-checked"),
        "",
        "Disagreements with the hand check:",
        "",
        *listing(run["hand_rows"], "wrong", against="hand check"),
        "Not read (the hand check gives a value):",
        "",
        *listing(run["hand_rows"], "not read", against="hand check"),
    ]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from assistant import load_taxonomy

    folder = args.folder.resolve()
    entries = read_catalogues(folder)
    if args.match:
        entries = [e for e in entries if args.match in e["file"]]
    if args.limit:
        entries = entries[: args.limit]
    hand = load_hand_check(args.hand_check) if args.hand_check else None
    files = list(dict.fromkeys([e["file"] for e in entries] + [r["file"] for r in hand or []]))
    started = time.perf_counter()
    infos, errors = read_reports(folder, files, workers=args.workers, blind=args.blind_names)
    taxonomy = load_taxonomy()
    import ingest.load

    run: dict[str, Any] = {
        "loader": ingest.load.__file__,
        "folder": str(folder),
        "blind": args.blind_names,
        "reports": len(entries),
        "read": len(infos),
        "seconds": time.perf_counter() - started,
        "errors": errors,
        "entries": [{**e, "expected": {k: list(v) for k, v in e["expected"].items()}} for e in entries],
        "rows": compare(entries, infos, taxonomy),
        "infos": {file: _info_json(info) for file, info in infos.items()},
    }
    if hand is not None:
        run["hand_file"] = str(args.hand_check)
        run["hand_reports"] = len(hand)
        run["hand_rows"] = compare_hand(hand, infos, taxonomy)
    return run


def _info_json(info: Any) -> dict[str, Any]:
    return {
        "title": info.title,
        "doc_type": info.doc_type,
        "local_authority": info.local_authority,
        "published": info.published,
        "inspection_dates": info.inspection_dates,
        "lead_inspector": info.lead_inspector,
        "judgements": [list(pair) for pair in info.judgements],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=REPO / ".." / "shared" / "national")
    parser.add_argument("--limit", type=int, default=0, help="only the first N catalogued files")
    parser.add_argument("--match", default="", help="only files whose catalogue path contains this")
    parser.add_argument("--workers", type=int, default=0, help="reading processes (0: one per CPU core)")
    parser.add_argument("--blind-names", action="store_true", help="read copies under neutral names")
    parser.add_argument("--hand-check", type=Path, help="score the reading against this hand-checked TOML too")
    parser.add_argument("--json", type=Path, help="write every comparison and reading here")
    parser.add_argument("--code-root", type=Path, default=REPO, help="project tree to import (default: this one)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code_root.resolve()))
    run = measure(args)
    print(report(run))
    if args.json:
        args.json.write_text(json.dumps(run, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
