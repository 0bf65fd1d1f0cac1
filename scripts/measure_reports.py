"""Measure the ingest pipeline on the real reports of the national sample.

Usage: python scripts/measure_reports.py [--folder ../shared/national] [--limit N] [--json FILE]
                                         [--code-root DIR] [--match TEXT] [--batch 4] [--seed 7]
                                         [--show-page1]

Runs the project's own stages (load_documents, clean_document, chunk_document) over every PDF
listed in the folder's catalogue.csv (childrens-services/*.pdf, area-send/*.pdf) and prints a
Markdown report of:

1. Furniture left in chunks. Each file's running headers and footers are found here, apart from
   the pipeline: with PyMuPDF, the lines in the top or bottom 10% of a page whose text, digit
   runs replaced by '#', recurs on at least 30% of the pages (and at least 2). A chunk has a
   *header fragment* when its passage holds one of those strings (whitespace-, quote- and
   case-insensitive) more often than the body text of the pages it spans does (so the title on
   page 1 or "Inspection dates: 8 to 19 June 2026" in the text do not count); it has a
   *page-number fragment* when a header string is followed or preceded by a bare number, a
   header whose digits change from page to page (its page number) is present, or a line of the
   passage is only a page number printed on the pages it spans. Shares are of chunks, overall
   and per kind of report.
2. Judgements (children's services reports): how many have `info.judgements`, the distribution
   of the number of areas, the files with none, and a seeded sample of 10 to check by hand
   against page 1 (`--show-page1` prints page 1's text beside them).
3. Metadata inferred from the text against the catalogue: local authority, publication date,
   kind of report (`area_send` / `ilacs*`), doc_type counts, fill rates of inspection dates and
   lead inspector.
4. Files that failed to load, with the reason, and the time of load+clean+chunk per page.

`--code-root DIR` puts another tree of the project (e.g. an older commit extracted with
`git archive`) first on sys.path, so the same measurement runs on that code. Whatever that code's
`DocumentInfo` lacks (judgements, inspection dates) is reported as n/a.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KINDS = {"childrens-services": "children's services", "area-send": "area SEND"}
BAND = 0.10  # top and bottom share of a page searched for running headers and footers
RECUR = 0.30  # share of pages a header line must recur on
_PAGE_NO_KEY = re.compile(r"(?:page\s*)?#(?:\s*(?:of|/)\s*#)?", re.I)
_LONE_NUMBER = re.compile(r"(?:page\s*)?(\d{1,4})(?:\s*(?:of|/)\s*\d{1,4})?", re.I)


# --- text normalisation --------------------------------------------------------------------


_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def norm(text: str) -> str:
    """NFKC, straight quotes and dashes, one space for any run of white space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_TRANSLATE).split())


def digit_key(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def flexible(text: str, vary: bool) -> str:
    """A regex for `text` in which white space may be missing or doubled (pypdf drops spaces)
    and, when `vary`, every number may be any number (a page number)."""
    parts = []
    for token in re.split(r"(\s+|\d+)", text):
        if not token:
            continue
        if token.isspace():
            parts.append(r"\s*")
        elif token.isdigit():
            parts.append(r"\d{1,4}" if vary else token)
        else:
            parts.append(re.escape(token))
    return "".join(parts)


# --- furniture found apart from the pipeline ------------------------------------------------


@dataclass
class Header:
    text: str  # the most common form, whitespace-normalised
    vary: bool  # its digits change from page to page: it carries the page number
    alone: re.Pattern[str]
    after: re.Pattern[str]  # followed by a bare number
    before: re.Pattern[str]  # preceded by a bare number


@dataclass
class Furniture:
    pages: int = 0
    headers: list[Header] = field(default_factory=list)
    page_numbers: dict[int, set[str]] = field(default_factory=dict)  # printed numbers per page
    body: dict[int, str] = field(default_factory=dict)  # normalised non-furniture text per page
    page1: str = ""


def find_furniture(path: Path) -> Furniture:
    """Running headers/footers of a PDF by PyMuPDF geometry, and each page's remaining text."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    out = Furniture()
    band_lines: list[tuple[int, str]] = []
    other: dict[int, list[str]] = defaultdict(list)
    with pymupdf.open(path) as doc:
        out.pages = len(doc)
        for number, page in enumerate(doc, 1):
            height = page.rect.height
            if number == 1:
                out.page1 = page.get_text()
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", ()):
                    text = norm("".join(span["text"] for span in line["spans"]))
                    if not text:
                        continue
                    y0, y1 = line["bbox"][1], line["bbox"][3]
                    mid = (y0 + y1) / 2
                    if mid < BAND * height or mid > (1 - BAND) * height:
                        band_lines.append((number, text))
                    other[number].append(text)
    pages_of: dict[str, set[int]] = defaultdict(set)
    forms: dict[str, Counter] = defaultdict(Counter)
    for number, text in band_lines:
        pages_of[digit_key(text)].add(number)
        forms[digit_key(text)][text] += 1
    need = max(2, RECUR * out.pages)
    recurring = {key for key, pages in pages_of.items() if len(pages) >= need}
    furniture_on: dict[int, list[str]] = defaultdict(list)
    for number, text in band_lines:
        if digit_key(text) in recurring:
            furniture_on[number].append(text)
    for key in sorted(recurring, key=len, reverse=True):
        vary = len(forms[key]) > 1
        for number, text in band_lines:
            if vary and digit_key(text) == key:
                out.page_numbers.setdefault(number, set()).update(re.findall(r"\d+", text))
        if _PAGE_NO_KEY.fullmatch(key) or len(re.findall(r"[^\W\d_]", key)) < 3:
            continue  # a page number alone: found as a lone number line, below
        text = forms[key].most_common(1)[0][0]
        core = flexible(text, vary)
        head = r"(?<!\d)" if text[0].isdigit() else ""
        tail = r"(?!\d)" if text[-1].isdigit() else ""
        gap_after = r"\s+" if text[-1].isdigit() else r"\s*"
        gap_before = r"\s+" if text[0].isdigit() else r"\s*"
        bare = r"\d{1,4}(?![\d,.]?\d)(?!\s*(?:%|per\b|to\b|and\b|-\s*\d))"
        out.headers.append(
            Header(
                text=text,
                vary=vary,
                alone=re.compile(head + core + tail, re.I),
                after=re.compile(head + core + gap_after + bare, re.I),
                before=re.compile(r"(?<![\w,.£$])\d{1,4}" + gap_before + core + tail, re.I),
            )
        )
    # Lone numbers in the bands are page numbers too.
    for number, text in band_lines:
        if _LONE_NUMBER.fullmatch(text):
            out.page_numbers.setdefault(number, set()).add(_LONE_NUMBER.fullmatch(text)[1])
    for number, texts in other.items():
        kept = [t for t in texts if t not in furniture_on.get(number, ())]
        out.body[number] = " ".join(kept)
    return out


@dataclass
class ChunkFurniture:
    header: bool = False
    page_number: bool = False
    examples: list[str] = field(default_factory=list)


def furniture_in(passage: str, first: int | None, last: int | None, furniture: Furniture) -> ChunkFurniture:
    """Header and page-number fragments in a passage spanning pages first..last (None: unknown)."""
    result = ChunkFurniture()
    if first is None or last is None:
        pages = sorted(furniture.body)
    else:
        pages = list(range(first, last + 1))
    body = " ".join(furniture.body.get(p, "") for p in pages)
    text = norm(passage)

    def surplus(pattern: re.Pattern[str]) -> list[re.Match[str]]:
        found = list(pattern.finditer(text))
        if not found:
            return []
        legit = len(pattern.findall(body))
        return found[legit:] if len(found) > legit else []

    for header in furniture.headers:
        alone = surplus(header.alone)
        if not alone:
            continue
        result.header = True
        numbered = surplus(header.after) + surplus(header.before)
        if header.vary or numbered:
            result.page_number = True
        match = (numbered or alone)[0]
        result.examples.append(text[max(0, match.start() - 50) : match.end() + 50])
    printed = set()
    for p in pages + ([pages[0] - 1, pages[-1] + 1] if pages else []):
        printed |= furniture.page_numbers.get(p, set())
    if not printed:
        printed = {str(p) for p in pages}
    for line in passage.splitlines():
        lone = _LONE_NUMBER.fullmatch(line.strip())
        if lone and lone[1] in printed:
            result.page_number = True
            result.examples.append(f"[line] {line.strip()}")
    return result


# --- metadata ----------------------------------------------------------------------------------

_LA_DROP = re.compile(
    r"\b(?:(?:london|royal|metropolitan|city and county|city|county) borough of|borough of|city of|county of|"
    r"city|county|borough|council|corporation|metropolitan|district|the)\b"
)


def la_key(name: str) -> str:
    """ "London Borough of Barking & Dagenham" -> "barking and dagenham"; "City of London" and
    "london corporation" -> "london"; "Hull City" -> "hull"."""
    text = norm(name).lower().replace("&", " and ").replace("st.", "st ")
    text = " ".join(re.findall(r"[a-z]+", text))
    key = " ".join(_LA_DROP.sub(" ", text).split())
    return _LA_ALIAS.get(key, key)


_LA_ALIAS = {"kingston upon hull": "hull"}  # "Hull City Council"


def la_matches(inferred: str, council: str) -> bool:
    a, b = la_key(inferred), la_key(council)
    if not a or not b:
        return False
    return a == b


# --- the run ----------------------------------------------------------------------------------


def read_catalogue(folder: Path) -> list[dict[str, str]]:
    with open(folder / "catalogue.csv", newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("file", "").endswith(".pdf")]
    for row in rows:
        row["kind"] = KINDS.get(row["file"].split("/", 1)[0], "other")
    return rows


def measure(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(args.code_root))
    import ingest.load
    from assistant import Settings
    from ingest.chunk import chunk_document
    from ingest.clean import clean_document
    from ingest.load import load_documents

    logging.disable(logging.WARNING)
    folder = args.folder.resolve()
    catalogue = read_catalogue(folder)
    if args.match:
        catalogue = [row for row in catalogue if args.match in row["file"]]
    if args.limit:
        catalogue = catalogue[: args.limit]
    settings = Settings()
    if catalogue:
        # Warm up (tokeniser, taxonomy, fonts), so the first file's time is not the imports'.
        docs, _ = load_documents(folder, [folder / catalogue[0]["file"]], settings)
        for doc in docs:
            chunk_document(clean_document(doc))
    files: dict[str, dict] = {}
    errors: list[dict] = []
    for i in range(0, len(catalogue), args.batch):
        batch = catalogue[i : i + args.batch]
        started = time.perf_counter()
        docs, load_errors = load_documents(folder, [folder / row["file"] for row in batch], settings)
        load_seconds = time.perf_counter() - started
        for error in load_errors:
            errors.append({"file": _relative(folder, error.path), "reason": error.reason, "stage": "load"})
        batch_pages = sum(len(doc.pages) for doc in docs) or 1
        by_file = {doc.info.file: doc for doc in docs}
        for row in batch:
            doc = by_file.get(row["file"])
            if doc is None:
                continue
            started = time.perf_counter()
            try:
                cleaned = clean_document(doc)
                chunks = chunk_document(cleaned)
            except Exception as exc:  # a crash is a finding, not the end of the run
                errors.append({"file": row["file"], "reason": f"{type(exc).__name__}: {exc}", "stage": "clean/chunk"})
                continue
            seconds = time.perf_counter() - started + load_seconds * len(doc.pages) / batch_pages
            files[row["file"]] = examine(row, cleaned, chunks, seconds, folder)
        print(f"\r{min(i + args.batch, len(catalogue))}/{len(catalogue)} files", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {
        "code_root": str(args.code_root),
        "loader": ingest.load.__file__,
        "folder": str(folder),
        "catalogue": catalogue,
        "files": files,
        "errors": errors,
    }


def _relative(folder: Path, path: str) -> str:
    try:
        return Path(path).resolve().relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def examine(row: dict[str, str], doc, chunks, seconds: float, folder: Path) -> dict:
    furniture = find_furniture(folder / row["file"])
    flagged = []
    for chunk in chunks:
        first = doc.page_at(chunk.raw_start) if doc.pages else None
        last = doc.page_at(max(chunk.raw_start, chunk.raw_end - 1)) if doc.pages else None
        found = furniture_in(chunk.passage, first, last, furniture)
        if found.header or found.page_number:
            flagged.append(
                {
                    "chunk": chunk.chunk_id,
                    "page": first,
                    "header": found.header,
                    "page_number": found.page_number,
                    "examples": found.examples[:3],
                }
            )
    info = doc.info
    judgements = getattr(info, "judgements", None)
    return {
        "kind": row["kind"],
        "council": row["council"],
        "catalogue_published": row["published"],
        "pages": len(doc.pages) or furniture.pages,
        "seconds": seconds,
        "chunks": len(chunks),
        "headers": [h.text for h in furniture.headers],
        "flagged": flagged,
        "info": {
            "title": info.title,
            "doc_type": info.doc_type,
            "local_authority": info.local_authority,
            "published": info.published,
            "inspection_dates": getattr(info, "inspection_dates", None),
            "lead_inspector": getattr(info, "lead_inspector", None),
            "judgements": [list(pair) for pair in judgements] if judgements is not None else None,
        },
        "page1": furniture.page1,
    }


# --- the report --------------------------------------------------------------------------------


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def report(run: dict, seed: int, show_page1: bool) -> str:
    files, catalogue = run["files"], run["catalogue"]
    out = [
        f"# Ingest measured on {len(catalogue)} national reports",
        "",
        f"Code: `{run['loader']}`; folder: `{run['folder']}`; loaded {len(files)}, failed {len(run['errors'])}.",
        "",
    ]

    out += [
        "## 1. Running headers and page numbers left in chunks",
        "",
        "| kind | files | chunks | header fragment | page-number fragment | either | files with any |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in [*KINDS.values(), "all"]:
        chosen = [f for f in files.values() if kind in ("all", f["kind"])]
        chunks = sum(f["chunks"] for f in chosen)
        header = sum(1 for f in chosen for c in f["flagged"] if c["header"])
        number = sum(1 for f in chosen for c in f["flagged"] if c["page_number"])
        either = sum(len(f["flagged"]) for f in chosen)
        dirty = sum(1 for f in chosen if f["flagged"])
        out.append(
            f"| {kind} | {len(chosen)} | {chunks} | {pct(header, chunks)} | {pct(number, chunks)} "
            f"| {pct(either, chunks)} | {pct(dirty, len(chosen))} |"
        )
    no_headers = [name for name, f in files.items() if not f["headers"]]
    out += [
        "",
        f"Files with no running header found by geometry: {len(no_headers)}"
        + (f" ({', '.join(no_headers[:8])}{' ...' if len(no_headers) > 8 else ''})" if no_headers else ""),
        "",
    ]
    worst = sorted(files.items(), key=lambda kv: -len(kv[1]["flagged"]) / max(1, kv[1]["chunks"]))[:5]
    worst = [(name, f) for name, f in worst if f["flagged"]]
    if worst:
        out += ["Examples (worst files first):", ""]
        for name, f in worst:
            example = f["flagged"][0]
            out.append(
                f"- `{name}` ({len(f['flagged'])}/{f['chunks']} chunks), p.{example['page']}: "
                f'"…{example["examples"][0] if example["examples"] else ""}…"'
            )
        out.append("")

    cs = {name: f for name, f in files.items() if f["kind"] == "children's services"}
    out += ["## 2. Judgements (children's services reports)", ""]
    if cs and all(f["info"]["judgements"] is None for f in cs.values()):
        out += ["n/a: this code's DocumentInfo has no judgements.", ""]
    elif cs:
        have = {n: f for n, f in cs.items() if f["info"]["judgements"]}
        sizes = Counter(len(f["info"]["judgements"] or ()) for f in cs.values())
        none = sorted(set(cs) - set(have))
        out += [
            f"With judgements: {pct(len(have), len(cs))}.",
            "",
            "Areas per report: " + ", ".join(f"{k} areas: {v}" for k, v in sorted(sizes.items())),
            "",
            f"Without judgements ({len(none)}): " + (", ".join(f"`{n}`" for n in none) or "none"),
            "",
            f"Sample of 10 (seed {seed}) to check against page 1:",
            "",
        ]
        for name in random.Random(seed).sample(sorted(cs), min(10, len(cs))):
            f = cs[name]
            out.append(f"- `{name}` ({f['info']['doc_type']}):")
            for area, grade in f["info"]["judgements"] or [("(none)", "")]:
                out.append(f"  - {area}: **{grade}**")
            if show_page1:
                out += ["", "  ```", *["  " + ln for ln in f["page1"].splitlines() if ln.strip()][:45], "  ```", ""]
        out.append("")

    out += ["## 3. Metadata against the catalogue", ""]
    la = [n for n, f in files.items() if la_matches(f["info"]["local_authority"], f["council"])]
    pub = [n for n, f in files.items() if f["info"]["published"] == f["catalogue_published"]]

    def kind_ok(f: dict) -> bool:
        t = f["info"]["doc_type"]
        return t == "area_send" if f["kind"] == "area SEND" else t.startswith("ilacs")

    kinds = [n for n, f in files.items() if kind_ok(f)]
    out += ["| measure | all | children's services | area SEND |", "| --- | ---: | ---: | ---: |"]

    def row(label: str, good: set | None, key=None) -> str:
        cells = []
        for kind in ("all", *KINDS.values()):
            chosen = [n for n, f in files.items() if kind in ("all", f["kind"])]
            if key is not None:
                values = [files[n]["info"][key] for n in chosen]
                if all(v is None for v in values):
                    cells.append("n/a")
                    continue
                cells.append(pct(sum(1 for v in values if v), len(chosen)))
            else:
                cells.append(pct(sum(1 for n in chosen if n in good), len(chosen)))
        return f"| {label} | " + " | ".join(cells) + " |"

    out += [
        row("local authority = catalogue council", set(la)),
        row("published = catalogue date", set(pub)),
        row("doc_type right (area_send / ilacs*)", set(kinds)),
        row("inspection_dates filled", None, "inspection_dates"),
        row("lead_inspector filled", None, "lead_inspector"),
        "",
    ]
    for kind in KINDS.values():
        counts = Counter(f["info"]["doc_type"] for f in files.values() if f["kind"] == kind)
        out.append(f"doc_type of {kind}: " + ", ".join(f"{t} {n}" for t, n in counts.most_common()))
    out.append("")
    bad_la = [(n, files[n]["info"]["local_authority"], files[n]["council"]) for n in files if n not in set(la)]
    if bad_la:
        out.append(
            f"Local authority mismatches ({len(bad_la)}): "
            + "; ".join(f'`{n}`: "{got}" vs "{want}"' for n, got, want in bad_la[:12])
            + (" ..." if len(bad_la) > 12 else "")
        )
    bad_kind = [(n, files[n]["info"]["doc_type"]) for n in files if n not in set(kinds)]
    if bad_kind:
        out.append(
            f"Wrong kind ({len(bad_kind)}): "
            + "; ".join(f"`{n}`: {t}" for n, t in bad_kind[:12])
            + (" ..." if len(bad_kind) > 12 else "")
        )
    bad_pub = [(n, files[n]["info"]["published"], files[n]["catalogue_published"]) for n in files if n not in set(pub)]
    if bad_pub:
        out.append(f"Date mismatches ({len(bad_pub)}): " + "; ".join(f"`{n}`: {g} vs {w}" for n, g, w in bad_pub[:8]))
    out.append("")

    out += ["## 4. Failures and time", ""]
    if run["errors"]:
        out += [f"- `{e['file']}` ({e['stage']}): {e['reason']}" for e in run["errors"]]
    else:
        out.append("No file failed.")
    pages = sum(f["pages"] for f in files.values())
    seconds = sum(f["seconds"] for f in files.values())
    per_page = [1000 * f["seconds"] / f["pages"] for f in files.values() if f["pages"]]
    if per_page:
        out += [
            "",
            f"load+clean+chunk: {seconds:.1f} s for {pages} pages ({1000 * seconds / max(1, pages):.0f} ms/page "
            f"overall); per file median {statistics.median(per_page):.0f} ms/page, "
            f"max {max(per_page):.0f} ms/page.",
        ]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=REPO / ".." / "shared" / "national")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files of the catalogue")
    parser.add_argument("--match", default="", help="only files whose catalogue path contains this")
    parser.add_argument("--json", type=Path, help="write every figure and flagged chunk here")
    parser.add_argument("--code-root", type=Path, default=REPO, help="project tree to import (default: this one)")
    parser.add_argument("--batch", type=int, default=4, help="files per load_documents call")
    parser.add_argument("--seed", type=int, default=7, help="seed of the judgement sample")
    parser.add_argument("--show-page1", action="store_true", help="print page 1 of each sampled report")
    args = parser.parse_args()
    args.code_root = args.code_root.resolve()
    run = measure(args)
    print(report(run, args.seed, args.show_page1))
    if args.json:
        args.json.write_text(json.dumps(run, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
