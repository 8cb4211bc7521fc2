"""The check stage's fast paths give exactly the findings and facts of the straightforward
code they replace.

- On a small bench book with deliberate slips, every slip is reported where it is, and
  nothing else (the expected list was recorded from the rules before they were sped up,
  and checked by hand: each line below names the slip it comes from).
- The one-pass block reader equals `ast.stringify`, `Block.notes` and `Block.citations`
  on every block of the seed book, the bench book and a chapter using every kind of
  Markdown element.
- Each sped-up fact (names, vocabulary, months, numbers, folding, Turkish shares) equals
  its straightforward definition, kept here as the reference, on every text of those books
  and on hard cases."""

from __future__ import annotations

import random
import re
import shutil
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO, copy_book
from ikidil import facts
from ikidil.ast import stringify, walk
from ikidil.checks import RULES, run_checks
from ikidil.checks.reading import elements, read_block
from ikidil.checks.translation import _same_text
from ikidil.i18n import lower
from ikidil.load import load_book
from ikidil.status import accept_translation

sys.path.insert(0, str(REPO / "scripts"))
import bench  # noqa: E402


def _edit(path: Path, fn) -> None:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    fn(blocks)
    path.write_text("\n\n".join(blocks), encoding="utf-8")


def damaged_bench_book(root: Path) -> Path:
    """A 4-chapter bench book, its translation accepted, then slipped the ways a
    translator slips. Blocks are counted as in the files: 0 is the chapter heading."""
    bench.make_book(root, 4)
    # Length ratio is left wide: the synthetic languages differ in word length.
    with open(root / "book.yaml", "a", encoding="utf-8") as f:
        f.write("length_ratio: [0.3, 3.0]\ntransliterations:\n  Perinçek: Perincheck\n")
    (root / "glossary.yaml").write_text("Temmuz: July\nLenin: [Lenin, V. I. Lenin]\n", encoding="utf-8")
    src, en = root / "manuscript", root / "translations" / "en"
    # A name inside a sentence (the bench book's names open sentences, which the name rule
    # leaves alone), spelled through the transliteration table in the translation.
    _edit(src / "01-chapter.md", lambda b: [b.__setitem__(i, b[i].replace(" 1934 ", " 1934 Perinçek ile ", 1))
                                            for i in (6,)])
    _edit(en / "01-chapter.md", lambda b: b.__setitem__(6, b[6].replace(" 1934 ", " 1934 with Perincheck ", 1)))
    _edit(src / "01-chapter.md", lambda b: b.__setitem__(7, b[7].replace(" 1914 ", " 1914 Perinçek ile ", 1)))
    accept_translation(load_book(root))

    def chapter1(b):
        b[2] = b[2].replace(" 1948 ", " ", 1)                              # a number dropped
        b[3] = b[3].replace(" 1926 ", " 1926 with Lenin ", 1)              # a name added
        b[4] = b[4].replace("September", "October", 1)                     # a month changed
        b[5] = b[5].replace("Enver", '"Enver', 1)                          # an unbalanced quotation
        b[8] = b[8].split(". ")[0] + "."                                   # most of it lost
        b[9] = b[9].replace(" [@source0, 363]", "")                        # a citation removed
        b[10] = "\u00a0"                                                  # emptied
        b.insert(12, "An extra paragraph the source does not have, about Lenin in 1920.")
    _edit(en / "01-chapter.md", chapter1)

    tr2 = (src / "02-chapter.md").read_text(encoding="utf-8").split("\n\n")

    def chapter2(b):
        b[1] = tr2[1]                                                      # left untranslated
        b[4] = ("Bu bölüm için bir deneme ve bu da ikinci kısım olarak yazıldı, ama daha çok "  # in Turkish
                "şey var ki sonra ışığa göre yazılacak.")
        b[2] = b[2].replace("^[", "[", 1).replace("].", ".", 1)          # a note unmade
        b[3] = b[3].replace("[@source2, ", "[@source3, ", 1)               # another source cited
        b[5] = "## " + b[5]                                                # a paragraph made a heading
        b[6] = b[6].replace("[@source1, 108]", "[@source1, 109]")          # another page
        b[7] = b[7].replace("July", "June", 1)                             # a month and a glossary term
        b[8] = b[8].replace(" 7 November", " 8 November", 1)              # a figure changed
    _edit(en / "02-chapter.md", chapter2)
    _edit(en / "03-chapter.md", lambda b: b.pop(20))                      # a paragraph deleted
    (en / "04-chapter.md").unlink()                                        # a chapter not translated
    _edit(src / "03-chapter.md", lambda b: b.__setitem__(30, b[30].replace(".", " ekledik.", 1)))  # source edited
    return root


def records(root: Path, book=None, **kw) -> list[tuple]:
    """Findings as (code, severity, file, line, source line, source block, message), paths
    relative to the book."""
    report = run_checks(book or load_book(root), **kw)
    return [(f.code, f.severity.value, f.file.relative_to(root).as_posix() if f.file else None, f.line,
             f.other_line, f.block, f.message.replace(f"{root}/", "")) for f in report.findings]


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    return damaged_bench_book(tmp_path_factory.mktemp("checks") / "book")


EN1, EN2, EN3 = (f"translations/en/0{n}-chapter.md" for n in (1, 2, 3))

EXPECTED = [
    # chapter 1: a number dropped, a name added, a month changed, a quotation left open,
    ("F001", "error", EN1, 5, 5, 2, "source has 1948 that the translation lacks: check dates, figures and ranges"),
    ("F003", "warning", EN1, 7, 7, 3, "name(s) in the translation that the source does not have here: lenin"),
    ("F002", "error", EN1, 9, 9, 4, "source names the month(s) September, translation October"),
    ("Q001", "warning", EN1, 11, 11, 5, "translation: 1 opening “ but 0 closing ”"),
    # a name (transliterated) left out, most of a paragraph lost,
    ("F003", "warning", EN1, 15, 15, 7, "name(s) of the source missing from the translation: perincheck"),
    ("F001", "error", EN1, 17, 17, 8, "source has 1938, 28 that the translation lacks: check dates, figures and ranges"),
    ("F002", "error", EN1, 17, 17, 8, "source names the month(s) January, translation none"),
    ("L001", "warning", EN1, 17, 17, 8, "translation is 0.13× the source's length (62 vs 476 characters), "
     "outside 0.35–3.48: a sentence may be missing"),
    # a citation removed, a paragraph emptied (a no-break space: its line is its own, with its
    # date, note and glossary term), an extra paragraph (its first word, "An", is no word's start)
    ("C001", "error", EN1, 19, 19, 9, "citations differ: source cites @source0, translation cites none"),
    ("E001", "error", EN1, 21, 21, 10, "translation block (Para) is empty: write it or remove it"),
    ("F001", "error", EN1, 21, 21, 10, "source has 1931, 6 that the translation lacks: check dates, figures and ranges"),
    ("F002", "error", EN1, 21, 21, 10, "source names the month(s) January, translation none"),
    ("G001", "warning", EN1, 21, 21, 10, "source uses “Lenin”, the translation should say “Lenin” or “V. I. Lenin” "
     "(glossary.yaml:2)"),
    ("L001", "warning", EN1, 21, 21, 10, "translation is 0.00× the source's length (0 vs 701 characters), "
     "outside 0.35–3.48: a sentence may be missing"),
    ("N001", "error", EN1, 21, 21, 10, "source block has 1 footnote(s), translation has 0: add or remove notes to match"),
    ("A003", "error", EN1, 25, 23, None, "extra block (Para: “An extra paragraph the source does…”) matches no "
     "source block; remove it or merge it into its neighbour"),
    # chapter 2: a paragraph left in Turkish (its month name, Ocak, is now a word of the
    # translated chapter, but in one block of the many whose source has it: no name the
    # translation keeps, so the source's other mid-sentence Ocak are not missed names),
    ("F002", "error", EN2, 3, 3, 1, "source names the month(s) January, translation none"),
    ("U001", "error", EN2, 3, 3, 1, "translation is the source text itself: translate it"),
    # a note made plain text, another source cited,
    ("N001", "error", EN2, 5, 5, 2, "source block has 1 footnote(s), translation has 0: add or remove notes to match"),
    ("C001", "error", EN2, 7, 7, 3, "citations differ: source cites @source2, translation cites @source3"),
    # a paragraph replaced by other Turkish text,
    ("F001", "error", EN2, 9, 9, 4, "source has 1935, 4 that the translation lacks: check dates, figures and ranges"),
    ("F002", "error", EN2, 9, 9, 4, "source names the month(s) December, translation none"),
    ("L001", "warning", EN2, 9, 9, 4, "translation is 0.16× the source's length (114 vs 712 characters), "
     "outside 0.35–3.48: a sentence may be missing"),
    ("U001", "error", EN2, 9, 9, 4, "translation reads as Turkish, the source's language: translate it"),
    # a paragraph made a heading, another page cited, July made June (a glossary term), a day changed
    ("A005", "warning", EN2, 11, 11, 5, "source block is a paragraph, its translation a heading: blocks pair by "
     "order, so one may be missing or split"),
    ("C002", "error", EN2, 13, 13, 6, "citation 1 (@source1) points to “108” in the source but “109” in the translation"),
    ("F002", "error", EN2, 15, 15, 7, "source names the month(s) July, translation June"),
    ("G001", "warning", EN2, 15, 15, 7, "source uses “Temmuz”, the translation should say “July” (glossary.yaml:1)"),
    ("F001", "error", EN2, 17, 17, 8, "source has 7 that the translation lacks; translation has 8 that the source "
     "lacks: check dates, figures and ranges"),
    # chapter 3: a paragraph deleted, a source paragraph edited since the translation was accepted
    ("A002", "error", EN3, 39, 41, 20, "block 21 (Para: “Öz bane ri bagömı şü rilerneün…”) has no translation; "
     "translate it or restore the deleted block"),
    ("S001", "error", EN3, 59, 61, 30, "source block 31 changed since it was translated: update the translation, "
     "then run: ikidil status --accept 03-chapter"),
    # chapter 4: not translated
    ("A001", "error", "translations/en/04-chapter.md", None, None, None,
     "missing translation of manuscript/04-chapter.md: create translations/en/04-chapter.md"),
]


def test_slips_in_a_bench_book_are_found_exactly(damaged):
    shutil.rmtree(damaged / ".ikidil-cache", ignore_errors=True)
    assert records(damaged) == EXPECTED
    # From the cache, the same findings.
    assert records(damaged) == EXPECTED


def test_each_rule_alone_finds_what_it_finds_among_all(damaged):
    """A rule run on its own (with nothing computed for it by other rules first) finds the same."""
    book = load_book(damaged)
    for code in sorted(RULES):
        shutil.rmtree(damaged / ".ikidil-cache", ignore_errors=True)
        assert records(damaged, book, only={code}) == [r for r in EXPECTED if r[0] == code], code


def test_the_seed_book_stays_clean(book_copy):
    assert records(book_copy) == []


# ---- the block reader --------------------------------------------------------------------

EVERY_ELEMENT = """# Başlık {#id .class}

Düz *vurgulu* **güçlü** ~~silik~~ ^üst^ ~alt~ [küçük]{.smallcaps} `kod` $x^2$ ve
"tırnaklı 'iç' söz" [bağlantı](https://example.org "başlık") --- bir not^[Notta *vurgu* ve
kaynak [@gokay2006, 9].] ve kaynaklar [bkz. @aslan2002, s. 12–14; @gokay2006 ek].\\
Satır sonu.

> Alıntı paragraf^[İkinci not.]
>
> > İç içe alıntı [@gokay2006]

- birinci madde
- ikinci *madde*
    1. iç numaralı

Terim
:   tanımı [-@aslan2002]

| Sol | Sağ |
|-----|----:|
| a `b` | **c** |

: Tablo başlığı

```python
kod_bloğu = "bir"
```

| Satır bloğu
|    ikinci satır

::: {.kutu}
Bölme içinde [yayılım]{lang=en} metni.
:::

* * *

Sonuncu.
"""


def reader_book(tmp_path):
    root = copy_book(tmp_path / "book")
    for folder in ("manuscript", "translations/en"):
        (root / folder / "02-every-element.md").write_text(EVERY_ELEMENT, encoding="utf-8")
    return root


def test_block_reader_equals_the_ast_helpers(tmp_path):
    books = [load_book(reader_book(tmp_path)), load_book(bench.make_book(tmp_path / "bench", 2))]
    kinds = set()
    for book in books:
        for chapters in book.chapters.values():
            for chapter in chapters:
                for block in chapter.blocks:
                    text, notes, citations = read_block(block.node)
                    assert text == block.text
                    assert notes == tuple(stringify(n["c"]) for n in block.notes)
                    assert citations == tuple(block.citations)
                    assert list(elements(block.node)) == list(walk(block.node))
                    kinds.update(el["t"] for el in walk(block.node))
    # The chapter above did reach the reader's every branch.
    assert {"Quoted", "Code", "Math", "Note", "Cite", "Table", "LineBlock", "Div", "Span", "CodeBlock",
            "DefinitionList", "OrderedList", "HorizontalRule", "LineBreak", "Link"} <= kinds


# ---- facts: the straightforward definitions, as they were --------------------------------

def reference_fold(word):
    word = word.replace("ı", "i").replace("İ", "I")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def reference_stem(word, lang):
    word = word.replace("'", "’")
    if facts.base(lang) == "en":
        return word.removesuffix("’s").rstrip("’")
    return word.split("’")[0]


def reference_starts_sentence(text, start):
    window = max(0, start - 40)
    before = text[window:start].rstrip("“‘\"'«‹([—–- ")
    if not before:
        return window == 0
    if before[-1] not in ".!?:…":
        return False
    return not re.search(r"(?:^|[\s.])[^\W\d_]\.$", before)


def reference_capitalised_words(text, lang):
    out = []
    for match in re.finditer(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text):
        word = reference_stem(match.group(), lang)
        if len(word) < 2 or not word[0].isupper():
            continue
        out.append((word, reference_starts_sentence(text, match.start())))
    return out


def reference_names(text, lang, table=None):
    table = table or {}
    return {reference_fold(table.get(w, w)) for w, start in reference_capitalised_words(text, lang) if not start}


def reference_vocabulary(text, lang, table=None, capitalised=False):
    table = table or {}
    words = (reference_stem(m.group(), lang) for m in re.finditer(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text))
    return {reference_fold(table.get(w, w)) for w in words if not capitalised or w[:1].isupper()}


def reference_months(text, lang):
    names = {name: i + 1 for i, name in enumerate(facts.MONTHS.get(facts.base(lang), []))}
    found = Counter()
    tokens = re.findall(r"\d+|[^\W\d_]+", text)
    for i, token in enumerate(tokens):
        if token in names:
            if token in facts._AMBIGUOUS_MONTHS and not facts._next_to_number(tokens, i):
                continue
            found[names[token]] += 1
    return found


REFERENCE_NUMBER = {
    "tr": re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"),
    "en": re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"),
}


def reference_numbers(text, lang):
    thousands, decimal = facts._SEPARATORS[lang]
    found = Counter()
    for match in REFERENCE_NUMBER[lang].finditer(text):
        raw = match.group().replace(thousands, "").replace(decimal, ".")
        found[facts._canonical(facts.Decimal(raw))] += 1
    return found


def reference_words(text, lang):
    return [lower(w, lang) for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text)]


def reference_turkish_share(text):
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text)
    return sum(1 for w in words if facts.TURKISH_ONLY_LETTERS & set(w)) / len(words) if words else 0.0


def reference_function_word_share(text):
    words = reference_words(text, "tr")
    return sum(1 for w in words if w in facts.TURKISH_FUNCTION_WORDS) / len(words) if words else 0.0


HARD_CASES = [
    "d’Artagnan met Lenin’s aide; abc’Def and xyzÉtienne are one word each, ’Twas Ömer’in.",
    "İstanbul’da IŞIK, Iğdır ve İzmir; English İzmir’s İ. KELVIN K and Ångström Å.",
    "ΟΔΟΣ Σοφία ΣΟΦΟΣ’Σ, Ǆemal ǅemal and ǲ, Ⓐ circled, Ⅻ twelve, x² and ²x, 1²3.",
    "G. V. Chicherin. H. Frunze! “Stalin” said. — Enver (Paşa) 1.000,5 and 1,000.5; 12.345.678,9 0012 ١٢٣.",
    "May I add that in May 1919 Mart 1921 and Mart’ta 16 Mart, Martı, Ekim Ekim’de 3 Nisan,2Nisan.",
    "_Frunze_ Frunze_x 3Lenin Lenin3 bir iki üç, sekizinci ve onuncu; one two twelfth.",
]


def fact_texts(tmp_path):
    texts = list(HARD_CASES)
    for book in (load_book(REPO), load_book(bench.make_book(tmp_path / "bench", 1))):
        for chapters in book.chapters.values():
            for chapter in chapters:
                for block in chapter.blocks:
                    texts.append(block.text)
                    texts.extend(stringify(n["c"]) for n in block.notes)
    rng = random.Random(7)
    pieces = ["1", "12", "123", "1234", ".", ",", ".000", ",000", ",5", ".5", " ", "a", "-"]
    texts.extend("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(3000))
    return texts


def test_facts_equal_their_straightforward_definitions(tmp_path):
    table = {"Çiçerin": "Chicherin", "Perinçek": "Perincheck"}
    for text in fact_texts(tmp_path):
        for lang in ("tr", "en"):
            assert facts.capitalised_words(text, lang) == reference_capitalised_words(text, lang), text
            assert facts.names(text, lang, table) == reference_names(text, lang, table), text
            for capitalised in (False, True):
                assert facts.vocabulary(text, lang, table, capitalised) == \
                    reference_vocabulary(text, lang, table, capitalised), text
            assert facts.months(text, lang) == reference_months(text, lang), text
            assert facts.numbers(text, lang) == reference_numbers(text, lang), text
            assert list(facts.lower_words(text, lang)) == reference_words(text, lang), text
            assert facts.number_words(text, lang) == \
                {str(facts.NUMBER_WORDS[lang][w]) for w in reference_words(text, lang) if w in facts.NUMBER_WORDS[lang]}
        assert facts.turkish_share(text) == reference_turkish_share(text), text
        assert facts.turkish_function_word_share(text) == reference_function_word_share(text), text
        assert facts.outside_parentheses(text) == re.sub(r"\([^()]*\)", " ", text)


def test_untranslated_text_is_compared_as_before(tmp_path):
    texts = fact_texts(tmp_path)[:400]
    rng = random.Random(3)
    pairs = [(a, b) for a in texts[:60] for b in texts[:60]]
    pairs += [(a, "  " + a.upper().replace(" ", "\n ")) for a in texts] + [(a, a.swapcase()) for a in texts]
    pairs += [("", ""), ("", "a"), ("Straße Ab", "STRASSE  ab"), ("ﬁne", "FINE"), ("ǅemal x", "ǆemal x")]
    pairs += [(a, rng.choice(texts)) for a in texts]
    for a, b in pairs:
        assert _same_text(a, b) == (" ".join(a.split()).casefold() == " ".join(b.split()).casefold()), (a, b)
    # What the shortcut rests on: casefolding never makes or removes a space.
    for codepoint in range(0x110000):
        ch = chr(codepoint)
        assert all(c.isspace() == ch.isspace() for c in ch.casefold()), hex(codepoint)


def test_folding_character_by_character_equals_whole_words():
    """fold() maps characters one by one; NFKD then dropping combining marks is the same
    for every character of the Basic Multilingual Plane, alone and after a base letter."""
    for codepoint in range(0x10000):
        ch = chr(codepoint)
        if 0xD800 <= codepoint < 0xE000:
            continue
        assert facts.fold(ch) == reference_fold(ch), hex(codepoint)
        assert facts.fold("a" + ch + "Ω") == reference_fold("a" + ch + "Ω"), hex(codepoint)


def test_capital_candidates_skip_only_lowercase_letters():
    """The capitalised-word scan skips words opening with the letters of its class: none
    of them may be a capital."""
    skipped = re.search(r"\[\^\\W\\d_([^]]*)\]", facts._CAPITAL_CANDIDATE.pattern).group(1)
    letters = [chr(c) for c in range(0x110000)
               if re.fullmatch(f"[{skipped}]", chr(c)) and re.fullmatch(r"[^\W\d_]", chr(c))]
    assert len(letters) > 150 and not any(ch.isupper() for ch in letters)
