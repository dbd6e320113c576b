"""Build the German compound-splitting data in ``mappings/analysis/`` from registry packages.

    uv run --group analysis-data pressindex analysis build   # the pinned pyphen, german-nouns, wordfreq

Inputs, all installable on a fresh machine or kept in the repository:

* ``pyphen`` (PyPI, pinned below) ships LibreOffice's ``hyph_de_DE.dic`` (LGPL-2+, from the LPPL
  ``dehyphn.tex``). Its second level holds the syllable patterns; we convert them to the FOP XML
  that ``hyphenation_decompounder`` reads. The first level (a 69,000-word compound list) is not
  used: as patterns it would overflow Lucene's ~65k-node ``TernaryTree``.
* ``german-nouns`` (PyPI, pinned below; CC BY-SA 4.0, from de.wiktionary) gives ~100k nouns with
  all case forms. Its simple nouns, in every form, become the decompounder's word list. Nouns
  that are themselves noun+noun compounds are left out: with ``only_longest_match`` and friends,
  Lucene ≥ 9.8 returns a dictionary word unsplit, so a compound in the list would never split.
* ``wordfreq`` (PyPI, pinned below; data CC BY-SA 4.0) gives the most frequent German words. Those
  of decompounding length that are neither nouns nor noun+noun compounds (adjectives, verbs,
  adverbs, names: ``politische``, ``vergangenen``, ``allerdings``) join the list, which protects
  them: without it the splitter cuts ``tische`` out of ``politische`` and ``gange`` out of
  ``vergangenen``, and spends most of its time on such words.
* ``mappings/analysis/sources/*.txt`` (project-authored): protected names, frequent words that are
  not compounds, extra parts, parts to drop, and country adjectives.

Outputs (sorted, no timestamps: the same inputs give the same bytes)::

    de-hyphenation-v1.xml     FOP XML patterns             LGPL-2.1-or-later (see licenses/)
    de-compound-words-v1.txt  word list                    CC BY-SA 4.0 (see licenses/)
    de-stem-override-v1.txt   name genitives, adjectives   from sources/ (project)

The ``-v1`` in the names is the data version: an index keeps reading the file it was created with,
so a changed list gets a new file name, a new ``mapping_version`` and a migration.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.resources
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from pressindex.errors import ConfigError
from pressindex.index.german import light_stem, normalize
from pressindex.project import mappings_dir

PYPHEN_VERSION = "0.18.1"
GERMAN_NOUNS_VERSION = "1.2.5"
WORDFREQ_VERSION = "3.1.1"
FREQUENT_WORDS = 100_000  # how many of wordfreq's most frequent German words are checked for protection
# Among the most frequent words, one that is no noun form is no noun compound either (Wiktionary has the
# frequent ones), whatever it looks like: zahl|reiche, erfolg|reich, gen|ommen are adjectives and verbs.
TRUSTED_FREQUENT = 30_000
RANKED_WORDS = 300_000  # frequency ranks for comparing a compound with its head
DATA_VERSION = 1

HYPHENATION_FILE = f"de-hyphenation-v{DATA_VERSION}.xml"
WORD_LIST_FILE = f"de-compound-words-v{DATA_VERSION}.txt"
STEM_OVERRIDE_FILE = f"de-stem-override-v{DATA_VERSION}.txt"

MIN_PART = 4  # = min_subword_size of the decompounder: shorter entries can never be emitted
MIN_WORD = 7  # = min_word_size of the decompounder: shorter tokens are never split
MIN_MODIFIER = 3  # shortest first part that makes a noun a compound (Tag+es+ordnung is not split at "Ta")
# A noun that starts with one of these is a prefix formation (Aufmarsch, Verhandlung), not a compound.
PREFIXES = frozenset(
    "ab an auf aus bei be da dar durch ein ent emp er ge gegen her hin hinter miss mit nach neben "
    "nieder ob ober um un unter ur ver vor vorder weg wider zer zu zurück zusammen über außer".split()
)
# Linking elements (Fugen) a modifier may carry: Regierung-s-, Frau-en-, Kind-er-.
LINKS = ("", "s", "es", "n", "en", "er", "ens")
# Nouns that are also suffixes of simple words (Wirt-schaft, Mini-ster, Sen-dung, deut-lich, brit-ischen,
# Man-ager): never a head when deciding whether a word is a compound.
SUFFIX_NOUNS = frozenset(
    "schaft schaften ster ismus lein chen ling linge tum stag erin ager inge gemein".split()
)
PROPER_POS = ("Toponym", "Nachname", "Vorname", "Eigenname")
NOUN_POS = ("Substantiv", "Toponym", "Nachname", "Vorname", "Eigenname", "Abkürzung")
ADJECTIVE_ENDINGS = ("", "e", "em", "en", "er", "es")
LETTERS = re.compile(r"^[a-zäöüßàáâçèéêëíîïñóôúûœ]+$")


def _suffix_like(head: str) -> bool:
    return (
        head in SUFFIX_NOUNS or head.startswith(("isch", "lich")) or (len(head) == 4 and head.endswith("ung"))
    )


@dataclass
class BuildReport:
    patterns: int
    words: int
    compounds_left_out: int
    overrides: int
    out_dir: Path

    def __str__(self) -> str:
        return (
            f"{self.out_dir}: {self.patterns} hyphenation patterns, {self.words} words "
            f"({self.compounds_left_out} compound nouns left out), {self.overrides} stemmer overrides"
        )


# -- hyphenation patterns -----------------------------------------------------------------------


def libhyphen_patterns(dic_text: str) -> list[str]:
    """The syllable patterns (second level, after ``NEXTLEVEL``) of a libhyphen ``.dic`` file."""
    lines = dic_text.splitlines()
    try:
        start = lines.index("NEXTLEVEL") + 1
    except ValueError as exc:
        raise ConfigError(
            "no NEXTLEVEL in the hyphenation dictionary: not the two-level German file"
        ) from exc
    patterns = set()
    for raw in lines[start:]:
        line = raw.strip().lower()
        if not line or line.startswith("#"):
            continue
        # libhyphen's non-standard patterns (ck/k=k) and stray punctuation have no FOP equivalent
        if re.fullmatch(r"[.a-zäöüßàáâçèéêëíîïñóôúû0-9]+", line) and re.search(r"\d", line):
            patterns.add(line)
    return sorted(patterns)


def s_head_patterns(words: list[str], *, prefix: int = 6) -> list[str]:
    """Force a hyphenation point before nouns that start with *s* (``9sankti``, ``9sekret``).

    The syllable patterns often put the break after a linking *s* (``rals-ekre``), where it cannot
    separate ``generalsekretär`` into ``general`` + ``sekretär``: the decompounder only looks for
    parts between hyphenation points. A value of 9 wins over every other pattern at that point.
    """
    heads = {w[:prefix] for w in words if w.startswith("s") and len(w) >= 5 and LETTERS.match(w)}
    return sorted("9" + h for h in heads)


def fop_xml(patterns: list[str], *, provenance: str) -> str:
    """FOP v1.2 hyphenation XML (what ``hyphenation_patterns_path`` reads).

    Lucene hyphenates only words whose every letter is in ``<classes>``; tokens with other
    letters (Erdoğan) are left whole, which is what we want for names.
    """
    letters = sorted(
        set("abcdefghijklmnopqrstuvwxyzäöüàáâçèéêëíîïñóôúû") | {c for p in patterns for c in p if c.isalpha()}
    )
    classes = "\n".join(
        c + (c.upper() if c.upper() != c and len(c.upper()) == 1 else "") for c in letters if c != "ß"
    )
    classes += "\nß"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<!--\n{provenance}\n-->\n"
        "<hyphenation-info>\n"
        '<hyphen-char value="-"/>\n'
        '<hyphen-min before="2" after="2"/>\n'
        f"<classes>\n{classes}\n</classes>\n"
        "<exceptions>\n</exceptions>\n"
        "<patterns>\n" + "\n".join(patterns) + "\n</patterns>\n"
        "</hyphenation-info>\n"
    )


# -- word list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Noun:
    lemma: str
    pos: str
    forms: frozenset[str]  # lowercase, lemma included


def read_nouns(csv_path: Path) -> list[Noun]:
    nouns = []
    with csv_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for row in reader:
            lemma, pos = row[0], row[1]
            if not any(p in pos.split(",") for p in NOUN_POS):
                continue
            forms = {w.lower() for w in [lemma, *row[7:]] if w}
            forms = {w for w in forms if LETTERS.match(w)}
            if forms:
                nouns.append(Noun(lemma, pos, frozenset(forms)))
    return nouns


def _modifiers(nouns: list[Noun], extra: set[str]) -> set[str]:
    """Every way a noun can stand first in a compound: its forms and lemma with a linking element."""
    mods = set(extra)
    for noun in nouns:
        lemma = noun.lemma.lower()
        if len(lemma) < MIN_MODIFIER or not LETTERS.match(lemma):
            continue
        mods.update(f for f in noun.forms if len(f) >= MIN_MODIFIER)
        mods.update(lemma + link for link in LINKS)
        if lemma.endswith("e") and len(lemma) > MIN_MODIFIER + 1:
            mods.add(lemma[:-1])  # Schul-buch, Grenz-kontrolle
    return mods


def _heads(nouns: list[Noun]) -> set[str]:
    """Forms of common nouns that can end a compound (names cannot: gen|Ommen is no compound)."""
    return {
        f
        for n in nouns
        if "Substantiv" in n.pos.split(",") and not any(p in n.pos.split(",") for p in PROPER_POS)
        for f in n.forms
        if len(f) >= MIN_PART
    }


def is_compound(word: str, heads: set[str], modifiers: set[str], rank: dict[str, int] | None = None) -> bool:
    """``word`` = modifier + head, where the head is a noun and the modifier a noun (with a link).

    With word-frequency ranks, a word more frequent than both of its halves is taken as a word of
    its own (Generation ≠ Gene+Ration, Kombination ≠ Kombi+Nation): lexicalised words stay whole.
    """
    never = len(rank or ()) + 1
    for cut in range(MIN_MODIFIER, len(word) - MIN_PART + 1):
        first, head = word[:cut], word[cut:]
        if len(first) == MIN_MODIFIER and len(head) <= MIN_PART:
            continue  # two short halves: "man|ager", "sen|dung" are rarely compounds
        if head in heads and first in modifiers and first not in PREFIXES and not _suffix_like(head):
            if rank is not None:
                # wordfreq case-folds: its keys spell ß as ss
                def r(w: str) -> int:
                    return rank.get(w.replace("ß", "ss"), never)

                first_rank = min(r(first[: len(first) - len(link)]) for link in LINKS if first.endswith(link))
                if r(word) < min(r(head), first_rank):
                    continue
            return True
    return False


def word_list(
    nouns: list[Noun],
    *,
    extra: set[str],
    protected: set[str],
    dropped: set[str],
    rank: dict[str, int] | None = None,
) -> tuple[list[str], int]:
    """Forms of the simple (non-compound) nouns, plus ``extra`` and ``protected``, minus ``dropped``."""
    heads = _heads(nouns)
    modifiers = _modifiers(nouns, extra)
    words: set[str] = set()
    left_out = 0
    for noun in nouns:
        lemma = noun.lemma.lower()
        proper = any(
            p in noun.pos.split(",") for p in PROPER_POS
        )  # names: never split, whatever they look like
        if not proper and is_compound(lemma, heads, modifiers, rank):
            left_out += 1
            continue
        words.update(noun.forms)
        if not proper and lemma.endswith("e") and len(lemma) > MIN_PART + 1:
            words.add(lemma[:-1])
    words |= extra | protected
    words -= dropped
    # Lucene also tries every part without its last letter (the linking s: "regierungs" → "regierung").
    # A form that is another entry plus s is therefore redundant, and harmful: the longest part wins,
    # so "generals" would be cut from "generalse|kretär" and "sekretär" be lost.
    words = {w for w in words if not (w.endswith("s") and w[:-1] in words) or w in protected}
    return sorted(w for w in words if len(w) >= MIN_PART), left_out


def frequent_non_nouns(
    frequent: list[str],
    nouns: list[Noun],
    extra: set[str],
    *,
    min_length: int,
    rank: dict[str, int] | None = None,
) -> set[str]:
    """Frequent words that are neither noun forms nor noun+noun compounds: safe to keep whole.

    wordfreq case-folds ß to ss; a word with one ss is added in both spellings (schliesslich,
    schließlich), since the tokens the decompounder sees are only lowercased.
    """
    forms = {f for n in nouns for f in n.forms}
    heads = _heads(nouns)
    modifiers = _modifiers(nouns, extra)
    out = set()
    for position, word in enumerate(frequent):
        spellings = [word, word.replace("ss", "ß")] if word.count("ss") == 1 else [word]
        if len(word) < min_length or not LETTERS.match(word) or any(w in forms for w in spellings):
            continue
        if position >= TRUSTED_FREQUENT and any(is_compound(w, heads, modifiers, rank) for w in spellings):
            continue
        out.update(spellings)
    return out


# -- stemmer overrides --------------------------------------------------------------------------


def name_overrides(names: list[str]) -> list[str]:
    """``steinmeier, steinmeiers => steinmeier``: the genitive meets the name, the stemmer keeps off."""
    rules = []
    for name in sorted({normalize(n) for n in names}):
        forms = [name] if name[-1] in "sxzß" else [name, name + "s"]
        rules.append(f"{', '.join(forms)} => {name}")
    return rules


def derived_overrides(pairs: list[tuple[str, str]]) -> list[str]:
    """``ukrainisch, ukrainische, … => ukrain``: the adjective meets the stem of its country."""
    rules = []
    for country, adjective in sorted(pairs):
        target = light_stem(normalize(country))
        stem = normalize(adjective)
        rules.append(f"{', '.join(stem + e for e in ADJECTIVE_ENDINGS)} => {target}")
    return rules


# -- sources ------------------------------------------------------------------------------------


def _read_lines(path: Path) -> list[str]:
    lines = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def _check_version(dist: str, wanted: str) -> None:
    try:
        found = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ConfigError(
            f"{dist}=={wanted} is needed to build the analysis data: "
            "uv run --group analysis-data pressindex analysis build"
        ) from exc
    if found != wanted:
        raise ConfigError(f"{dist}=={wanted} is needed for a reproducible build, found {found}")


def package_file(package: str, *parts: str) -> Path:
    return Path(str(importlib.resources.files(package).joinpath(*parts)))


def build(out_dir: Path | None = None) -> BuildReport:
    """Write the hyphenation patterns, word list, stemmer overrides and licence texts to ``out_dir``."""
    _check_version("pyphen", PYPHEN_VERSION)
    _check_version("german-nouns", GERMAN_NOUNS_VERSION)
    _check_version("wordfreq", WORDFREQ_VERSION)
    out = out_dir or mappings_dir() / "analysis"
    sources = mappings_dir() / "analysis" / "sources"
    out.mkdir(parents=True, exist_ok=True)

    dic = package_file("pyphen", "dictionaries", "hyph_de_DE.dic")
    raw = dic.read_bytes()
    encoding = raw.split(b"\n", 1)[0].strip().decode("ascii").lower().replace("iso8859", "iso-8859")
    patterns = libhyphen_patterns(raw.decode(encoding))
    provenance = (
        f"German hyphenation patterns for Lucene's hyphenation_decompounder, converted by pressindex\n"
        f"(src/pressindex/index/analysis_data.py) from hyph_de_DE.dic as shipped in pyphen {PYPHEN_VERSION}:\n"
        "LibreOffice's adaptation of the TeX patterns dehyphn.tex (LPPL) by Marco Huggenberger,\n"
        "Daniel Naber and Karl Zeiler. Licence: GNU LGPL 2.1 or later, see licenses/COPYING.LGPL\n"
        "and licenses/README_hyph_de.txt. Only the syllable patterns (NEXTLEVEL) are kept; patterns\n"
        "9s… (a break before simple nouns starting with s) are added from the word list."
    )

    names = _read_lines(sources / "de-names.txt")
    protected = {n.lower() for n in names} | {normalize(n) for n in names}
    extra = {w.lower() for w in _read_lines(sources / "de-parts.txt")}
    dropped = {w.lower() for w in _read_lines(sources / "de-not-parts.txt")}
    protected |= {w.lower() for w in _read_lines(sources / "de-not-compounds.txt")}
    nouns = read_nouns(package_file("german_nouns", "nouns.csv"))
    lemmas = {n.lemma.lower() for n in nouns if "Substantiv" in n.pos.split(",")}
    import wordfreq

    ranked = wordfreq.top_n_list("de", RANKED_WORDS, wordlist="large")
    rank = {w: i for i, w in enumerate(ranked)}
    protected |= frequent_non_nouns(ranked[:FREQUENT_WORDS], nouns, extra, min_length=MIN_WORD, rank=rank)
    words, left_out = word_list(nouns, extra=extra, protected=protected, dropped=dropped, rank=rank)
    (out / WORD_LIST_FILE).write_text("\n".join(words) + "\n", encoding="utf-8")
    simple_nouns = [w for w in words if w in lemmas]
    patterns = sorted(set(patterns) | set(s_head_patterns(simple_nouns)))
    (out / HYPHENATION_FILE).write_text(fop_xml(patterns, provenance=provenance), encoding="utf-8")

    pairs = [
        tuple(part.strip() for part in line.split("=", 1)) for line in _read_lines(sources / "de-derived.txt")
    ]
    rules = name_overrides(names) + derived_overrides(pairs)  # type: ignore[arg-type]
    header = (
        "# generated by `pressindex analysis build` from sources/de-names.txt and sources/de-derived.txt\n"
    )
    (out / STEM_OVERRIDE_FILE).write_text(header + "\n".join(rules) + "\n", encoding="utf-8")

    licenses = out / "licenses"
    licenses.mkdir(exist_ok=True)
    readme = package_file("pyphen", "dictionaries", "README_hyph_de.txt").read_bytes().decode("latin-1")
    (licenses / "README_hyph_de.txt").write_text(readme, encoding="utf-8")
    pyphen_dist = importlib.metadata.distribution("pyphen")
    lgpl = next(f for f in pyphen_dist.files or [] if f.name == "COPYING.LGPL")
    shutil.copyfile(Path(str(pyphen_dist.locate_file(lgpl))), licenses / "COPYING.LGPL")
    nouns_dist = importlib.metadata.distribution("german-nouns")
    cc = next(f for f in nouns_dist.files or [] if f.name == "LICENSE")
    shutil.copyfile(Path(str(nouns_dist.locate_file(cc))), licenses / "german-nouns-LICENSE-CC-BY-SA-4.0.txt")
    (licenses / "NOTICE-de-compound-words.txt").write_text(WORD_LIST_NOTICE, encoding="utf-8")
    return BuildReport(len(patterns), len(words), left_out, len(rules), out)


WORD_LIST_NOTICE = f"""{WORD_LIST_FILE} is licensed under CC BY-SA 4.0
(https://creativecommons.org/licenses/by-sa/4.0/; full text in german-nouns-LICENSE-CC-BY-SA-4.0.txt).

It is derived from
- german-nouns {GERMAN_NOUNS_VERSION} by Gregor Weichbrodt (PyPI), a list of German nouns and their
  case forms compiled from the German Wiktionary (de.wiktionary.org), CC BY-SA 4.0;
- wordfreq {WORDFREQ_VERSION} by Robyn Speer (PyPI), whose word-frequency data is distributed under
  CC BY-SA 4.0 (see the wordfreq README for its sources); only the German ranking was used, to pick
  frequent words;
- the project-authored lists in ../sources/.
Changes: nouns that are noun+noun compounds were removed, words were lowercased and selected by
length and frequency, see src/pressindex/index/analysis_data.py.
"""
