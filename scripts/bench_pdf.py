"""Which PDF library reads real inspection reports best: speed, failures and text quality.

Usage: python scripts/bench_pdf.py [--folder ../shared/national] [--libraries pypdf,pymupdf,pdfplumber]
                                   [--limit N] [--out figures.json]

Extracts the plain text of every page of every PDF under --folder with each library that can be
imported (pypdf `extract_text`, PyMuPDF `get_text`, pdfplumber `extract_text`), timing each file,
and prints a Markdown table per library:
- failures: files that raised (any exception), listed with their reason after the table;
- ms/page: each file's extraction time (open included) divided by its pages, median and p95 over files;
- spliced furniture: share of pages 2..n where the running header or its date/page-number line
  is glued to body text on one line, never on a line of its own (the cleaner must then cut it
  out of a sentence). The furniture of a file is every line that recurs on at least half of its
  pages 2..n in any library's output, so run the libraries together for this figure;
- glued tokens: share of whitespace-separated tokens holding a run of 25+ letters (lost spaces);
- private-use glyphs: characters in U+E000..U+F8FF (Wingdings bullets the font did not map);
- chars/page: median non-space characters per page (spaces are left out because libraries pad
  lines differently), so a library that drops text shows up;
- word agreement: per page, Jaccard overlap of the lower-cased word sets of this library and each
  other library, averaged over the others; the median over pages shared by all (same page count).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIBRARIES = ("pypdf", "pymupdf", "pdfplumber")
LETTER_RUN = re.compile(r"[^\W\d_]{25,}")
WORD = re.compile(r"[^\W_]+")
TRAILING_PAGE_NO = re.compile(r"(?<=\D) \d{1,3}$")


def read_pages(library: str, path: Path) -> list[str]:
    """The plain text of each page, in the library's default extraction mode."""
    if library == "pypdf":
        import pypdf

        return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]
    if library == "pymupdf":
        import pymupdf

        with pymupdf.open(path) as doc:
            return [page.get_text() for page in doc]
    import pdfplumber

    texts = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            texts.append(page.extract_text() or "")
            page.close()  # drop the page's parsed objects, or memory grows over a long report
    return texts


def norm(line: str) -> str:
    return " ".join(line.split())


def furniture_of(runs: dict[str, list[str]]) -> list[str]:
    """Lines recurring on at least half of pages 2..n in any library's output, longest first."""
    found: set[str] = set()
    for pages in runs.values():
        later = pages[1:]
        counts = Counter()
        for text in later:
            # "10 to 14 June 2024 3": the page number changes on every page, so leave it out.
            counts.update({TRAILING_PAGE_NO.sub("", norm(line)) for line in text.splitlines()})
        found |= {
            line
            for line, n in counts.items()
            if len(later) >= 2 and n >= len(later) / 2 and len(line) >= 8 and re.search(r"[a-zA-Z]", line)
        }
    return sorted(found, key=len, reverse=True)


def is_spliced(text: str, furniture: list[str]) -> bool:
    """True if some furniture text is on the page only inside lines that also hold body text."""
    lines = [norm(line) for line in text.splitlines()]

    def furniture_only(line: str) -> bool:
        for item in furniture:
            line = line.replace(item, " ")
        return not re.sub(r"[\d\s]", "", line)  # what is left may only be a page number

    for item in furniture:
        hits = [line for line in lines if item in line]
        if hits and not any(furniture_only(line) for line in hits):
            return True
    return False


def jaccard(a: str, b: str) -> float:
    x, y = set(WORD.findall(a.lower())), set(WORD.findall(b.lower()))
    return len(x & y) / len(x | y) if x | y else 1.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=REPO / ".." / "shared" / "national")
    parser.add_argument("--libraries", default=",".join(LIBRARIES))
    parser.add_argument("--limit", type=int, help="only the first N files, for a quick run")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()

    files = sorted(args.folder.resolve().rglob("*.pdf"))[: args.limit]
    libraries = []
    for name in args.libraries.split(","):
        try:
            importlib.import_module(name.strip())  # imported now so its load time is not billed to file 1
            libraries.append(name.strip())
        except ImportError as exc:
            print(f"skipping {name}: not installed ({exc})")
    print(f"{len(files)} PDFs under {args.folder.resolve()}; libraries: {', '.join(libraries)}")

    texts: dict[str, dict[Path, list[str]]] = {lib: {} for lib in libraries}
    ms_per_page: dict[str, list[float]] = {lib: [] for lib in libraries}
    seconds: dict[str, float] = {lib: 0.0 for lib in libraries}
    failures: dict[str, list[tuple[str, str]]] = {lib: [] for lib in libraries}
    # One library at a time over all files, so each is timed alone on a shared machine.
    for lib in libraries:
        start_lib = time.perf_counter()
        for i, path in enumerate(files, 1):
            start = time.perf_counter()
            try:
                pages = read_pages(lib, path)
                texts[lib][path] = pages
                ms_per_page[lib].append(1000 * (time.perf_counter() - start) / max(1, len(pages)))
            except Exception as exc:  # one bad file must never stop the run
                name = str(path.relative_to(args.folder.resolve()))
                failures[lib].append((name, f"{type(exc).__name__}: {exc}"[:200]))
            seconds[lib] += time.perf_counter() - start
            if i % 20 == 0 or i == len(files):
                print(f"  {lib}: {i}/{len(files)} files, {time.perf_counter() - start_lib:.0f} s", flush=True)

    figures = {
        lib: {"spliced": 0, "later_pages": 0, "tokens": 0, "glued": 0, "private": 0, "chars": [], "agreement": []}
        for lib in libraries
    }
    for path in files:
        runs = {lib: texts[lib][path] for lib in libraries if path in texts[lib]}
        furniture = furniture_of(runs)
        same_length = len(runs) == len(libraries) and len({len(p) for p in runs.values()}) == 1
        for lib, pages in runs.items():
            fig = figures[lib]
            for n, text in enumerate(pages):
                if n > 0:
                    fig["later_pages"] += 1
                    fig["spliced"] += is_spliced(text, furniture)
                tokens = text.split()
                fig["tokens"] += len(tokens)
                fig["glued"] += sum(1 for t in tokens if LETTER_RUN.search(t))
                fig["private"] += sum(1 for c in text if "\ue000" <= c <= "\uf8ff")
                fig["chars"].append(len("".join(tokens)))
                if same_length and len(libraries) > 1:
                    others = [jaccard(text, runs[o][n]) for o in libraries if o != lib]
                    fig["agreement"].append(sum(others) / len(others))

    summary = {}
    for lib in libraries:
        fig = figures[lib]
        summary[lib] = {
            "files": len(texts[lib]),
            "pages": len(fig["chars"]),
            "failures": len(failures[lib]),
            "median_ms_per_page": round(statistics.median(ms_per_page[lib]), 2) if ms_per_page[lib] else None,
            "p95_ms_per_page": round(percentile(ms_per_page[lib], 95), 2),
            "total_s": round(seconds[lib], 1),
            "spliced_furniture_share": round(fig["spliced"] / max(1, fig["later_pages"]), 4),
            "glued_token_share": round(fig["glued"] / max(1, fig["tokens"]), 5),
            "private_use_glyphs": fig["private"],
            "median_chars_per_page": statistics.median(fig["chars"]) if fig["chars"] else None,
            "median_word_agreement": round(statistics.median(fig["agreement"]), 3) if fig["agreement"] else None,
            "failure_reasons": [{"file": f, "reason": r} for f, r in failures[lib]],
        }

    print()
    print(
        "| library | files | pages | failures | median ms/page | p95 ms/page | total s | spliced furniture "
        "(share of pages 2..n) | glued tokens (share) | private-use glyphs | median chars/page | median word agreement |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lib, s in summary.items():
        print(
            f"| {lib} | {s['files']} | {s['pages']} | {s['failures']} | {s['median_ms_per_page']} | "
            f"{s['p95_ms_per_page']} | {s['total_s']} | {s['spliced_furniture_share']:.1%} | "
            f"{s['glued_token_share']:.3%} | {s['private_use_glyphs']} | {s['median_chars_per_page']} | "
            f"{s['median_word_agreement']} |"
        )
    print()
    print("Failures:" if any(failures.values()) else "Failures: none")
    for lib in libraries:
        for name, reason in failures[lib]:
            print(f"- {lib}: {name}: {reason}")
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2))
        print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
