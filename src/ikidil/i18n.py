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
        "typeset_in": "{face} ile dizilmiştir.",
        "published": "İlk basım: {date}",
        "translated_from": "{language} aslından çevrilmiştir.",
        "original_title": "Özgün adı:",
        "bilingual_text": "{source} metin ve {target} çevirisi",
        "editorial_title": "Bölüm başlıkları yayına hazırlayana aittir.",
        "cover": "Kapak",
        "title_page": "İç kapak",
        "untranslated": "Çevrilmedi",
        "stale": "Çeviri güncel değil",
        "translator_mark": "—Çev.",
        "translator_note": "çevirmen notu",
        "table": "Tablo",
    },
    "en": {
        "bibliography": "Bibliography",
        "contents": "Contents",
        "notes": "Notes",
        "back_to_text": "Back to text",
        "note": "Note",
        "edition": "Edition",
        "identifier": "Identifier",
        "typeset_in": "Typeset in {face}",
        "published": "First published {date}",
        "translated_from": "Translated from the {language}",
        "original_title": "Original title:",
        "bilingual_text": "{source} text with {target} translation",
        "editorial_title": "Chapter titles are editorial.",
        "cover": "Cover",
        "title_page": "Title page",
        "untranslated": "Not translated",
        "stale": "Translation out of date",
        "translator_mark": "—Trans.",
        "translator_note": "translator's note",
        "table": "Table",
    },
}


MONTHS = {
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül",
           "Ekim", "Kasım", "Aralık"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
LANGUAGE_NAMES = {           # as an adjective, in each language: "Turkish text", "Türkçe metin"
    "tr": {"tr": "Türkçe", "en": "İngilizce", "de": "Almanca", "fr": "Fransızca"},
    "en": {"tr": "Turkish", "en": "English", "de": "German", "fr": "French"},
}


def long_date(date, lang: str) -> str:
    """A date as the language writes it in running text: 24 Kasım 2026, 24 November 2026."""
    months = MONTHS.get(lang.split("-")[0], MONTHS["en"])
    return f"{date.day} {months[date.month - 1]} {date.year}"


def language_name(of: str, lang: str) -> str:
    names = LANGUAGE_NAMES.get(lang.split("-")[0], LANGUAGE_NAMES["en"])
    return names.get(of.split("-")[0], of)


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
