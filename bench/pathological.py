"""Time parse_document on pathological input shapes beside ordinary news text of the same size.

    uv run --frozen python bench/pathological.py [--sizes 1,2,4] [--shapes a,b,...] [--timeout 120]

Each shape (long runs of one character, deep nesting, many short lines, repeated credits, …) is
built in memory at each size (MB) and parsed once in a fresh subprocess, killed after
``--timeout`` seconds ("timeout"; the larger sizes of that shape are then skipped). Ordinary text
is real German news: 10kGNAD test articles from ``--corpora`` (read at run time, never stored
here) joined by blank lines until the size is reached; generated German-like text when the corpus
is absent.

The table gives seconds per MB at each size, the ratio to ordinary text at 2 MB (target ≤ 5), the
growth of the time from 1 to 4 MB (linear is 4; target ≤ 4.5), the peak memory of the parse at the
largest size and what the parse returned (the language, or the InputError's code). Peak memory is
tracemalloc's peak during a second, untimed parse of the same input in the same child (the
language model is loaded before, the input bytes are not counted): what the parse itself
allocated at most, in MB and as a multiple of the input size.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024
HERE = Path(__file__).resolve().parent
DEFAULT_CORPORA = HERE.parent.parent / "shared" / "corpora"


def ordinary(size: int, corpora: Path = DEFAULT_CORPORA) -> bytes:
    """Real 10kGNAD articles joined by blank lines up to ``size`` bytes, else German-like text."""
    path = corpora / "10kgnad_test" / "test.csv"
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as fh:
            texts = [row[1] for row in csv.reader(fh, delimiter=";", quotechar="'") if len(row) >= 2]
    else:
        texts = [_german_like(random.Random(i)) for i in range(200)]
    parts, total, i = [], 0, 0
    while total < size:
        text = texts[i % len(texts)]
        parts.append(text)
        total += len(text.encode("utf-8")) + 2
        i += 1
    return "\n\n".join(parts).encode("utf-8")[:size].decode("utf-8", "ignore").encode("utf-8")


_WORDS = (
    "der die das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch es an "
    "werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum "
    "Regierung Stadt Bürger Jahr Millionen Euro Präsident Polizei Gericht Unternehmen Wahl Größe "
    "Straße Brücke Frühjahr Bundestag Minister Schule Öffentlichkeit Verhandlungen Ergebnis"
).split()


def _german_like(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(5, 15)):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 18))]
        sentences.append(" ".join(words).capitalize() + ".")
    return "Berlin (dpa) - " + " ".join(sentences)


def _repeat(unit: str, size: int, *, head: str = "", tail: str = "") -> bytes:
    body = size - len((head + tail).encode("utf-8"))
    unit_b = unit.encode("utf-8")
    # whole units only: a shape cut mid-unit ("(dpa) (d") would hide what its end exercises
    return head.encode("utf-8") + unit_b * max(body // len(unit_b), 1) + tail.encode("utf-8")


def _id_lines(size: int) -> bytes:
    """Distinct dpa-id lines, each a footer line of its own."""
    lines, total, i = [_STORY], len(_STORY), 0
    while total < size:
        lines.append(f"dpa:210413-99-{i % 1_000_000:06d}/{i // 1_000_000 + 1}\n")
        total += len(lines[-1])
        i += 1
    return "".join(lines).encode("utf-8")


def _distinct(make: Callable[[int], str], size: int) -> bytes:
    """Units ``make(0)``, ``make(1)``, … up to ``size`` bytes: no two alike (a repeated message is
    read once per file, so a repeated unit would time only the first)."""
    parts, total, i = [], 0, 0
    while total < size:
        parts.append(make(i).encode("utf-8"))
        total += len(parts[-1])
        i += 1
    return b"".join(parts)


_STORY = (
    "Berlin (dpa) - Die Stadt baut eine neue Brücke über den Fluss. Der Bau soll im Frühjahr beginnen.\n\n"
)

_IPTC_HEAD = "\x01bdt0001 4 vm 120  dpa 0001\n\nBerlin/Bau/\n\x02Neue Brücke in Berlin =\n\n" + _STORY
_IPTC_ONE_LINE = (
    "\x01bdt0001 4 vm 10  dpa 0001\n\x02Berlin (dpa) - Die Stadt baut eine Brücke.\n\x03140918 Mär 25\n\x04"
)

# name -> size -> bytes. Each one is a shape users sent or one a regex or library could trip on.
SHAPES: dict[str, Callable[[int], bytes]] = {
    "ordinary": ordinary,
    "nested_div": lambda n: _repeat("<div>Wort ", n // 2) + _repeat("</div>", n - n // 2),
    "date_phrase": lambda n: _repeat("13. April 2021 ", n),
    "inline_tags": lambda n: _repeat("<b>x</b> ", n),
    "short_lines": lambda n: _repeat("a\n", n),
    "run_a": lambda n: _repeat("a", n),
    "run_dot": lambda n: _repeat(".", n, head="Text "),
    "run_paren": lambda n: _repeat("(", n, head="Text "),
    "run_dash": lambda n: _repeat("-", n, head="Text "),
    "run_space": lambda n: _repeat(" ", n, head="Text", tail="Ende"),
    "run_slash_ab": lambda n: _repeat("/ab", n, head="Text. "),
    "long_line": lambda n: _repeat("Die Stadt baut eine Brücke, ", n),
    "blank_paragraphs": lambda n: _repeat("Absatz.\n\n\n\n", n),
    "blank_lines": lambda n: _repeat("\n", n, head="Text", tail="Ende"),
    "capital_words": lambda n: _repeat("Berlin ", n),
    "abbrev_places": lambda n: _repeat("Ab. ", n),
    "credits_paren": lambda n: _repeat("(dpa) ", n, head=_STORY + "Ende."),
    "credits_dated": lambda n: _repeat("(APA, 11.9.2015) ", n, head=_STORY + "Ende."),
    "credit_lines": lambda n: _repeat("(dpa)\n", n, head=_STORY),
    "credit_lines_mixed": lambda n: _repeat("(dpa)\n(AFP)\n", n, head=_STORY),  # no run of one line
    "id_lines": lambda n: _id_lines(n),  # distinct footer lines: past the footer cap
    "dpa_ids": lambda n: _repeat("dpa:210413-99-186470/5 ", n, head=_STORY),
    "bylines": lambda n: _repeat("Von Hans Muster, dpa ", n),
    "entities": lambda n: _repeat("&amp;", n, head="Text "),
    "unclosed_tags": lambda n: _repeat("<p><b><i>x", n),
    "close_tags": lambda n: _repeat("</div>", n, head="Text "),
    "open_comments": lambda n: _repeat("<!--", n, head="<p>Text</p>"),
    "mojibake": lambda n: _repeat("GrÃ¶ÃŸte StÃ¤dte ", n),
    "cp1252": lambda n: ordinary(n).decode("utf-8").encode("cp1252", "replace"),
    "cp1251": lambda n: _repeat("Президент России заявил сегодня ", 2 * n).decode("utf-8").encode("cp1251"),
    "astral": lambda n: _repeat("😀 Wort ", n),
    # IPTC 7901 (all messages of the file are parsed): many one-line messages, one message with a
    # huge Notizblock, a header line repeated without control characters (each one a message)
    "iptc_messages": lambda n: _repeat(_IPTC_ONE_LINE, n),
    "iptc_notizblock": lambda n: _repeat(
        "- Hinweis für die Redaktion.\n",
        n,
        head=_IPTC_HEAD + "# Notizblock\n\n",
        tail="\x03140918 Mär 25\n\x04",
    ),
    "iptc_headers": lambda n: _repeat("bdt0001 4 vm 10  dpa 0001\n", n),
    # the non-public marker's words with no marker, on one line: each is looked at around itself only
    "nonpublic_words": lambda n: _repeat("Veröffentlichung publication ", n, head=_IPTC_HEAD),
    # the signs the words miss, each on a short line of its own with no marker: each line is
    # checked once; and contact-like headings in a Notizblock that are none
    "nonpublic_signs": lambda n: _repeat(
        "Veröffent\xadlichung nicht\nPublikation bald\nrelease\nzu veröffentlichen\n", n, head=_IPTC_HEAD
    ),
    # the words on short lines, as wrapped copy has them: each line is tried alone and wrapped
    # together with the lines above and below
    "nonpublic_word_lines": lambda n: _repeat(
        "nicht zur Veröffentlichung Text\nnot for publication x\n", n, head=_IPTC_HEAD
    ),
    "nonpublic_headings": lambda n: _repeat(
        "## Kontaktformular\n#\n", n, head=_IPTC_HEAD + "# Notizblock\n\n"
    ),
    # the same, every message distinct (sequence numbers, a word): no message is read twice
    "iptc_messages_distinct": lambda n: _distinct(
        lambda i: f"\x01bdt{i % 10000:04d} 4 vm 10  dpa {i % 10000:04d}\n\x02Berlin (dpa) - Die Stadt baut Brücke {i}.\n\x03140918 Mär 25\n\x04",
        n,
    ),
    "iptc_headers_distinct": lambda n: _distinct(
        lambda i: f"bdt{i % 10000:04d} 4 vm 10  dpa {i % 100000:05d}\n", n
    ),
}


def run_case(shape: str, size: int) -> dict:
    """In the child: build the input, warm up, parse once; time and peak memory of the parse."""
    from datetime import UTC, datetime

    from pressindex.errors import InputError
    from pressindex.parse import parse_document

    now = datetime(2025, 1, 15, tzinfo=UTC)
    parse_document(_STORY.encode("utf-8"), "warmup", now=now)  # the language model loads once
    raw = SHAPES[shape](size)

    def parse() -> str:
        try:
            return parse_document(raw, shape, now=now).language
        except InputError as exc:
            return exc.code

    start = time.perf_counter()
    result = parse()
    seconds = time.perf_counter() - start
    # memory in a second parse: tracemalloc slows what it watches, so not in the timed one
    tracemalloc.start()
    parse()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"seconds": seconds, "peak_mb": peak / MB, "bytes": len(raw), "result": result}


def measure(shape: str, size_mb: float, timeout: float) -> dict | None:
    """One case in a fresh subprocess; None when it ran out of time."""
    cmd = [sys.executable, __file__, "--case", shape, str(int(size_mb * MB))]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return {
            "error": done.stderr.strip().splitlines()[-1]
            if done.stderr.strip()
            else f"exit {done.returncode}"
        }
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes",
        default="1,2,4",
        help="sizes in MB, comma-separated (the ratio uses 2, growth the first and last)",
    )
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated; 'ordinary' is always run")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    ap.add_argument("--case", nargs=2, metavar=("SHAPE", "BYTES"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case[0], int(args.case[1]))))
        return

    sizes = [float(s) for s in args.sizes.split(",")]
    shapes = ["ordinary"] + [s for s in args.shapes.split(",") if s and s != "ordinary"]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        ap.error(f"unknown shapes: {', '.join(unknown)} (known: {', '.join(SHAPES)})")
    ref_size = 2.0 if 2.0 in sizes else sizes[len(sizes) // 2]

    cols = " ".join(f"{f's/MB@{s:g}':>9}" for s in sizes)
    header = (
        f"{'shape':<17} {cols} {f'x ord@{ref_size:g}':>9} {'growth':>7} {'peak MB':>8} {'x input':>8}  result"
    )
    print(header)
    print("-" * len(header))
    reference = None
    for shape in shapes:
        cells, results, timed_out = {}, {}, False
        for size in sizes:
            if timed_out:
                cells[size] = "skipped"
                continue
            r = measure(shape, size, args.timeout)
            if r is None:
                cells[size], timed_out = "timeout", True
            elif "error" in r:
                cells[size] = "error"
                results[size] = r
            else:
                cells[size] = f"{r['seconds'] / (r['bytes'] / MB):.3f}"
                results[size] = r
        if shape == "ordinary":
            reference = results.get(ref_size)
        ok = {s: r for s, r in results.items() if "seconds" in r}
        ratio = (
            f"{ok[ref_size]['seconds'] / reference['seconds']:.2f}"
            if ref_size in ok and reference and reference.get("seconds")
            else "-"
        )
        first, last = sizes[0], sizes[-1]
        growth = (
            f"{ok[last]['seconds'] / ok[first]['seconds']:.2f}"
            if first in ok and last in ok and ok[first]["seconds"]
            else "-"
        )
        largest = ok[max(ok)] if ok else None
        peak = f"{largest['peak_mb']:.0f}" if largest else "-"
        times = f"{largest['peak_mb'] * MB / largest['bytes']:.1f}" if largest else "-"
        outcome = (
            largest["result"] if largest else next((r["error"] for r in results.values() if "error" in r), "")
        )
        row = " ".join(f"{cells[s]:>9}" for s in sizes)
        print(f"{shape:<17} {row} {ratio:>9} {growth:>7} {peak:>8} {times:>8}  {outcome}", flush=True)


if __name__ == "__main__":
    main()
