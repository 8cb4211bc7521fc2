"""Words ikidil itself puts into a book, per language. Citation terms come from the
CSL locale (citeproc localises them by the document's lang); these are the rest."""

from __future__ import annotations

TERMS: dict[str, dict[str, str]] = {
    "tr": {
        "bibliography": "Kaynakça",
        "contents": "İçindekiler",
        "notes": "Notlar",
        "back_to_text": "Metne dön",
        "note": "Not",
        "edition": "Baskı",
        "identifier": "Kimlik",
        "typeset_in": "Dizgi",
        "published": "Yayın tarihi",
        "editorial_title": "Bölüm başlıkları yayına hazırlayana aittir.",
        "cover": "Kapak",
        "title_page": "İç kapak",
        "untranslated": "Çevrilmedi",
        "stale": "Çeviri güncel değil",
        "translator_mark": "—Çev.",
        "translator_note": "çevirmen notu",
    },
    "en": {
        "bibliography": "Bibliography",
        "contents": "Contents",
        "notes": "Notes",
        "back_to_text": "Back to text",
        "note": "Note",
        "edition": "Edition",
        "identifier": "Identifier",
        "typeset_in": "Typeset in",
        "published": "Published",
        "editorial_title": "Chapter titles are editorial.",
        "cover": "Cover",
        "title_page": "Title page",
        "untranslated": "Not translated",
        "stale": "Translation out of date",
        "translator_mark": "—Trans.",
        "translator_note": "translator's note",
    },
}


def term(lang: str, key: str) -> str:
    base = lang.split("-")[0]
    return TERMS.get(base, TERMS["en"])[key]


def upper(text: str, lang: str) -> str:
    """Uppercase with Turkish rules where the language is Turkish (i → İ, ı → I)."""
    if lang.split("-")[0] in ("tr", "az"):
        text = text.replace("i", "İ").replace("ı", "I")
    return text.upper()


def lower(text: str, lang: str) -> str:
    if lang.split("-")[0] in ("tr", "az"):
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()
