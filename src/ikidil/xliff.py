"""XLIFF 2.1 export and import, so translators can work in their CAT tools.

One <file> per chapter, one <unit> per source block (id "b<n>", n counted from 1).
<source> is the source block's Markdown, <target> the aligned translation block's
Markdown. Markup a translator must keep but not translate is protected as XLIFF inline
codes, its text kept in <originalData>: citations `[@key, 12]` and note references
`[^1]` become <ph/>, and an inline footnote `^[…]` becomes <pc>…</pc> around the note's
text — the note is translated inline, where it belongs. Characters XML cannot hold
travel as <cp hex="…"/>.

Each unit records the hash of its source block (metadata module, type "source-hash",
the lockfile's hash: ikidil.lock) and its state: "translated" when the lockfile says the
translation block was made for this source, otherwise "initial" with subState
"ikidil:needs-translation". On import, units the CAT tool marks translated, reviewed or
final (and made for the current source) are recorded in the lockfile.

Import puts each unit's target back into the translation file in place of its block,
everything between blocks (blank lines, comments, note definitions) kept as it was:
an export followed by an import leaves the translation byte-identical."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .align import align_chapter
from .errors import BookError
from . import untrusted
from .load import Book, Chapter, vet_text
from .lock import LockEntry, State, block_hash, block_states, first_words, load_lock, write_lock
from .outputs import write_bytes_atomic

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
NSMAP = {None: XLIFF_NS, "mda": MDA_NS}
X = f"{{{XLIFF_NS}}}"
MDA = f"{{{MDA_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
NEEDS_TRANSLATION = "ikidil:needs-translation"


# ---- a chapter's text cut at its blocks


@dataclass
class Sliced:
    """A chapter's text as pieces: gaps[0] block[0] gaps[1] block[1] … gaps[n].
    Joining them gives the text back exactly."""
    blocks: list[str]
    gaps: list[str]

    def join(self) -> str:
        out = [self.gaps[0]]
        for block, gap in zip(self.blocks, self.gaps[1:]):
            out += [block, gap]
        return "".join(out)


def slice_chapter(chapter: Chapter) -> Sliced:
    text = chapter.source
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    starts, previous = [], 0
    for block in chapter.blocks:
        start = line_starts[min(block.line, len(line_starts)) - 1]
        previous = max(start, previous)
        starts.append(previous)
    blocks, gaps = [], [text[: starts[0]] if starts else text]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        piece = text[start:end]
        body = piece.rstrip()
        blocks.append(body)
        gaps.append(piece[len(body):])
    return Sliced(blocks, gaps)


# ---- Markdown text ↔ XLIFF inline content

# Markdown a translator keeps but does not translate: citations, note references, and
# the block markup at the start of a line (heading #, quote >, list bullets and numbers).
_CODE = re.compile(r"\[[^\[\]]*@[^\[\]]*\]|\[\^[^\]\s]+\]"
                   r"|(?m:^(?:#{1,6}[ \t]+|(?:>[ \t]?)+|[-*+][ \t]+|\d+[.)][ \t]+))")
_XML_BAD = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Codes:
    """The <originalData> of one unit: each protected piece of Markdown once, by id."""

    def __init__(self):
        self.ids: dict[str, str] = {}

    def ref(self, text: str) -> str:
        return self.ids.setdefault(text, f"d{len(self.ids) + 1}")


def _note_end(text: str, start: int) -> int | None:
    """Index of the ']' closing the inline note whose '[' (after '^') is at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "[" and text[i - 1] != "\\":
            depth += 1
        elif text[i] == "]" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return i
    return None


def _fill(parent: etree._Element, text: str, codes: _Codes, counter: list[int]) -> None:
    """Append `text` to `parent` as XLIFF inline content."""
    last = parent  # the element whose .text/.tail receives the next plain text

    def put(chunk: str) -> None:
        nonlocal last
        for piece in re.split(f"({_XML_BAD.pattern})", chunk):
            if not piece:
                continue
            if _XML_BAD.fullmatch(piece):
                cp = etree.SubElement(parent, X + "cp", hex=f"{ord(piece):04X}")
                last = cp
            elif last is parent:
                parent.text = (parent.text or "") + piece
            else:
                last.tail = (last.tail or "") + piece

    def element(tag: str, **attrs) -> etree._Element:
        nonlocal last
        counter[0] += 1
        el = etree.SubElement(parent, X + tag, id=str(counter[0]), **attrs)
        last = el
        return el

    i = 0
    while i < len(text):
        note = text.find("^[", i)
        code = _CODE.search(text, i)
        if note != -1 and (code is None or note <= code.start()):
            end = _note_end(text, note + 1)
            if end is not None:
                put(text[i:note])
                pc = element("pc", dataRefStart=codes.ref("^["), dataRefEnd=codes.ref("]"),
                             type="other", subType="ikidil:note")
                _fill(pc, text[note + 2:end], codes, counter)
                i = end + 1
                continue
            put(text[i:note + 2])
            i = note + 2
            continue
        if code is not None:
            put(text[i:code.start()])
            element("ph", dataRef=codes.ref(code.group(0)))
            i = code.end()
            continue
        put(text[i:])
        break


def _text_of(el: etree._Element, data: dict[str, str], where: str) -> str:
    """XLIFF inline content → Markdown text (the inverse of _fill)."""
    out = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):     # a comment or processing instruction: not text
            out.append(child.tail or "")
            continue
        tag = etree.QName(child).localname
        if tag == "ph":
            out.append(_data(child.get("dataRef"), data, where))
        elif tag == "pc":
            out.append(_data(child.get("dataRefStart"), data, where))
            out.append(_text_of(child, data, where))
            out.append(_data(child.get("dataRefEnd"), data, where))
        elif tag == "cp":
            out.append(chr(int(child.get("hex"), 16)))
        elif tag in ("mrk", "sm", "em"):      # annotations a CAT tool may add: keep their text
            out.append(_text_of(child, data, where))
        else:
            raise BookError(f"unit {where}: unknown inline element <{tag}>",
                            hint="ikidil reads <ph>, <pc>, <cp> and <mrk> inside <target>")
        out.append(child.tail or "")
    return "".join(out)


def _data(ref: str | None, data: dict[str, str], where: str) -> str:
    if ref not in data:
        raise BookError(f"unit {where}: inline code refers to missing data '{ref}'",
                        hint="the CAT tool lost a protected code; re-export and translate again")
    return data[ref]


# ---- export


def export_xliff(book: Book, lang: str, target: Path) -> Path:
    """Write `target` (XLIFF 2.1) for translating the book into `lang`. A unit is
    "translated" when the lockfile says its translation was made for this source."""
    config = book.config
    if lang not in config.translations:
        raise BookError(f"'{lang}' is not a translation language of this book",
                        file=config.root / "book.yaml", line=config.line_of("translations"),
                        hint=f"choose from {', '.join(config.translations)} or add it to 'translations'")
    root = etree.Element(X + "xliff", nsmap=NSMAP, version="2.1", srcLang=config.language, trgLang=lang)
    lock = load_lock(config.manuscript_dir(lang))
    for source in book.chapters[config.language]:
        translation = book.chapter(lang, source.name)
        alignment = align_chapter(source, translation)
        src_text = slice_chapter(source)
        tgt_text = slice_chapter(translation) if translation else None
        file_el = etree.SubElement(root, X + "file", id=f"f-{source.slug}",
                                   original=source.path.relative_to(book.root).as_posix())
        states = block_states(alignment, lock)
        for pair, state in zip(alignment.pairs, states):
            if pair.source is None:
                continue     # an extra translation block: kept in the file untouched on import
            index = pair.source.index
            text = src_text.blocks[index]
            digest = block_hash(pair.source)
            unit = etree.SubElement(file_el, X + "unit", id=f"b{index + 1}", name=pair.source.kind)
            unit.set(XML_SPACE, "preserve")
            meta = etree.SubElement(etree.SubElement(etree.SubElement(unit, MDA + "metadata"),
                                                     MDA + "metaGroup", category="ikidil"),
                                    MDA + "meta", type="source-hash")
            meta.text = digest
            original = etree.SubElement(unit, X + "originalData")
            segment = etree.SubElement(unit, X + "segment")
            codes, counter = _Codes(), [0]
            _fill(etree.SubElement(segment, X + "source"), text, codes, counter)
            done = state.state is State.TRANSLATED
            if pair.target is not None:
                _fill(etree.SubElement(segment, X + "target"), tgt_text.blocks[pair.target.index], codes, [0])
            segment.set("state", "translated" if done else "initial")
            if not done:
                segment.set("subState", NEEDS_TRANSLATION)
            for value, ref in codes.ids.items():
                etree.SubElement(original, X + "data", id=ref).text = value
            if not codes.ids:
                unit.remove(original)
    write_bytes_atomic(target, etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return target


# ---- import


@dataclass
class ImportResult:
    changed: list[Path]
    units: int
    updated: int
    stale: list[str]       # units whose source changed since the export
    accepted: int = 0      # blocks recorded in the lockfile as translated from the current source


def import_xliff(book: Book, xliff: Path) -> ImportResult:
    tree = _parse(xliff)
    root = tree.getroot()
    config = book.config
    if root.tag != X + "xliff" or not root.get("version", "").startswith("2."):
        raise BookError("not an XLIFF 2 file", file=xliff, line=root.sourceline,
                        hint="export one with: ikidil export --xliff")
    if root.get("srcLang") != config.language:
        raise BookError(f"XLIFF source language is '{root.get('srcLang')}', the book's is '{config.language}'",
                        file=xliff, line=root.sourceline)
    lang = root.get("trgLang")
    if lang not in config.translations:
        raise BookError(f"XLIFF target language '{lang}' is not a translation language of this book",
                        file=xliff, line=root.sourceline, hint=f"the book translates into {', '.join(config.translations)}")
    result = ImportResult([], 0, 0, [])
    # Atomic: the whole file is read and every new chapter text vetted as a chapter (raw
    # HTML, notes, limits: what a build would refuse) before the first byte is written.
    writes: list[tuple[Path, bytes, Chapter, set[int]]] = []
    seen_files: set[str] = set()
    for file_el in root.iter(X + "file"):
        name = Path(file_el.get("original", "")).name
        source = book.chapter(config.language, name)
        if source is None:
            raise BookError(f"XLIFF file '{file_el.get('original')}' is not a chapter of this book",
                            file=xliff, line=file_el.sourceline, hint="export again from this book")
        if name in seen_files:
            raise BookError(f"XLIFF holds chapter '{name}' twice", file=xliff, line=file_el.sourceline,
                            hint="keep one <file> per chapter: export again from this book")
        seen_files.add(name)
        targets, done = _targets(file_el, source, xliff, result)
        path = config.manuscript_dir(lang) / name
        before = path.read_bytes() if path.is_file() else None
        text = _apply(source, book.chapter(lang, name), targets)
        data = text.encode("utf-8")
        if data != before:
            vet_text(text, path, lang, book.bibliography, book.root)
            writes.append((path, data, source, done))
    for path, data, source, done in writes:
        write_bytes_atomic(path, data)
        result.changed.append(path)
    for path, _, source, done in writes:
        result.accepted += _record_in_lock(book, lang, source, path, done)
    return result


def _record_in_lock(book: Book, lang: str, source: Chapter, path: Path, done: set[int]) -> int:
    """Units the CAT tool marks translated/reviewed/final, for the current source, go into
    the lockfile; blocks the lock already accepted stay accepted. Without a lockfile
    staleness is not tracked yet, and none is created."""
    from .load import load_chapter
    lock = load_lock(book.config.manuscript_dir(lang))
    if not lock.exists:
        return 0
    translation = load_chapter(path, lang, book.bibliography, book.root)
    alignment = align_chapter(source, translation)
    accepted = lock.hashes(source.name)
    entries = [LockEntry(p.target.index + 1, p.source.index + 1, block_hash(p.source), first_words(p.source))
               for p in alignment.aligned if p.source.index in done or block_hash(p.source) in accepted]
    lock.chapters[source.name] = entries
    write_lock(lock)
    return sum(1 for p in alignment.aligned if p.source.index in done)


def _parse(path: Path) -> etree._ElementTree:
    # No entities, no DTDs, no network: an XLIFF file from outside is untrusted input.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_blank_text=False)
    try:
        tree = etree.parse(str(path), parser)
        if tree.docinfo.internalDTD is not None or tree.docinfo.system_url:
            raise BookError("XLIFF file declares a DTD (entities could read local files); not accepted",
                            file=path, line=1, hint="remove the <!DOCTYPE …> declaration")
        return tree
    except OSError as exc:
        raise BookError(f"cannot read XLIFF file: {exc}", file=path) from None
    except etree.XMLSyntaxError as exc:
        raise BookError(f"malformed XLIFF: {exc.msg}", file=path, line=exc.lineno,
                        hint="the file is not well-formed XML; open it in your CAT tool and export again") from None


DONE_STATES = ("translated", "reviewed", "final")


def _targets(file_el, source: Chapter, xliff: Path, result: ImportResult) -> tuple[dict[int, str], set[int]]:
    """Each unit's target text by source block index, and the indexes the CAT tool marks done
    (for the current source: a unit exported from an older source is not marked done)."""
    found: dict[int, str] = {}
    done: set[int] = set()
    seen: set[int] = set()
    for unit in file_el.iter(X + "unit"):
        result.units += 1
        uid = unit.get("id", "")
        match = re.fullmatch(r"b(\d{1,9})", uid)
        if not match or not 1 <= int(match.group(1)) <= len(source.blocks):
            raise BookError(f"unit '{uid}' matches no block of {source.name}", file=xliff,
                            line=unit.sourceline, hint="the source changed since the export: export again")
        index = int(match.group(1)) - 1
        if index in seen:
            raise BookError(f"unit '{uid}' of {source.name} appears twice", file=xliff, line=unit.sourceline,
                            hint="keep one unit per block: one of them would silently overwrite the other")
        seen.add(index)
        data = {d.get("id"): d.text or "" for d in unit.iter(X + "data")}
        target = unit.find(f"{X}segment/{X}target")
        if target is None:
            continue
        text = _text_of(target, data, uid)
        if not text.strip():
            continue
        if untrusted.is_active(text):
            raise BookError(f"unit '{uid}' of {source.name}: the target holds markup that could run or fetch "
                            f"({untrusted.first_tag(text)})", file=xliff, line=target.sourceline,
                            hint="translate the text only; write formatting as Markdown")
        recorded = unit.findtext(f"{MDA}metadata/{MDA}metaGroup/{MDA}meta[@type='source-hash']")
        current = recorded == block_hash(source.blocks[index])
        if recorded and not current:
            result.stale.append(f"{source.name} {uid}")
        segment = unit.find(f"{X}segment")
        if current and segment.get("state") in DONE_STATES and segment.get("subState") != NEEDS_TRANSLATION:
            done.add(index)
        found[index] = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    return found, done


def _apply(source: Chapter, translation: Chapter | None, targets: dict[int, str]) -> str:
    """The translation text with each target put in place of its block; blocks with no
    translation yet are inserted after the previous translated block."""
    if translation is None:
        return "\n\n".join(targets[i] for i in sorted(targets)) + "\n"
    sliced = slice_chapter(translation)
    pairs = align_chapter(source, translation).pairs
    inserted: dict[int, list[str]] = {}         # target block index (-1: before all) → new blocks
    last_target = -1
    for pair in pairs:
        if pair.target is not None:
            last_target = pair.target.index
        if pair.source is None or pair.source.index not in targets:
            continue
        text = targets[pair.source.index]
        if pair.target is not None:
            sliced.blocks[pair.target.index] = text
        else:
            inserted.setdefault(last_target, []).append(text)
    for after in sorted(inserted, reverse=True):
        if after < 0:
            sliced.gaps[0] += "\n\n".join(inserted[after]) + "\n\n"
        else:
            sliced.blocks[after] += "".join("\n\n" + t for t in inserted[after])
    return sliced.join()
