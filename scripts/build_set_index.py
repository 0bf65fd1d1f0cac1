"""Build the index a question set is evaluated on, from the set's corpus.toml.

    python scripts/build_set_index.py evals/sets/reports --index-dir .index-reports
    assistant eval --index-dir .index-reports --questions evals/sets/reports/heldout.jsonl \
        --baseline evals/sets/reports/baseline.json

The documents are copied into `<index-dir>-corpus/` (with corpus/'s manifest entries for those
that have one) and ingested like any corpus: unchanged files are not embedded again.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import EvalSetError, Settings  # noqa: E402
from evals.corpora import set_files, stage_corpus  # noqa: E402
from ingest.index import build_index  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("set_dir", type=Path, help="a question set folder holding corpus.toml")
    parser.add_argument("--index-dir", type=Path, required=True, help="where to build the index")
    args = parser.parse_args()
    try:
        files = set_files(args.set_dir)
    except EvalSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    corpus = stage_corpus(files, Path(f"{args.index_dir}-corpus"))
    report = build_index(Settings.from_env().replace(corpus_dir=corpus, index_dir=args.index_dir))
    for error in report.errors:
        print(f"failed: {error}", file=sys.stderr)
    print(f"{report.documents} documents, {report.chunks} chunks in {report.seconds:.1f} s -> {args.index_dir}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
