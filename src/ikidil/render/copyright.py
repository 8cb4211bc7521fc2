"""The copyright page of a printed edition, in the edition's language(s).

What a reader and a librarian look for, grouped and in a clear order of type: the title
(and, in a translation, that it is one and the original's title), the rights, the
editorial note, the first publication's date as the language writes it, the face, the
publisher. Nothing internal (edition codes, the raw urn:uuid: the identifier stays in the
PDF's metadata)."""

from __future__ import annotations

from html import escape

from ..i18n import language_name, long_date, term

BOOK_FACE = "EB Garamond"


def copyright_html(book, edition) -> str:
    cfg = book.config
    langs = list(dict.fromkeys(edition.languages))
    groups: list[list[str]] = []

    def p(text_html: str, lang: str, cls: str = "") -> str:
        klass = f' class="{cls}"' if cls else ""
        return f'<p{klass} lang="{lang}">{text_html}</p>'

    titles = []
    for lang in langs:
        subtitle = cfg.subtitle_in(lang)
        titles.append(p(f'<span class="c-book-title">{escape(cfg.title_in(lang))}</span>'
                        + (f'<br><span class="c-subtitle">{escape(subtitle)}</span>' if subtitle else ""),
                        lang, "c-title"))
    groups.append(titles)

    about = []
    if len(langs) > 1:
        source, others = cfg.language, [l for l in langs if l != cfg.language]
        for lang in langs:
            text = term(lang, "bilingual_text").format(source=language_name(source, lang),
                                                       target=", ".join(language_name(o, lang) for o in others))
            about.append(p(escape(text[0].upper() + text[1:]), lang))
    elif edition.lang != cfg.language:
        lang = edition.lang
        about.append(p(escape(term(lang, "translated_from").format(language=language_name(cfg.language, lang))), lang))
        original = cfg.title_in(cfg.language)
        if cfg.subtitle_in(cfg.language):
            original += ", " + cfg.subtitle_in(cfg.language)
        about.append(p(f'{escape(term(lang, "original_title"))} <i lang="{cfg.language}">{escape(original)}</i>', lang))
    if about:
        groups.append(about)

    rights = []
    for lang in langs:
        text = cfg.rights_in(lang)
        if text and text not in [r for _, r in rights]:
            rights.append((lang, text))
    if rights:
        groups.append([p(escape(text), lang, "c-rights") for lang, text in rights])

    groups.append([p(escape(term(lang, "editorial_title")), lang) for lang in langs])
    groups.append([p(escape(term(lang, "published").format(date=long_date(cfg.date, lang))), lang) for lang in langs]
                  + [p(escape(term(lang, "typeset_in").format(face=BOOK_FACE)), lang) for lang in langs])
    if cfg.publisher:
        groups.append([p(escape(cfg.publisher), langs[0], "c-publisher")])
    return "".join(f'<div class="c-group">{"".join(group)}</div>' for group in groups)
