"""Which language a text reads as, from its function words: no model, only data.

Function words (articles, conjunctions, pronouns, copulas) make up a large, stable share
of any running text in their language and almost none in another's. A translation
whose share of the *source* language's function words is high, and higher than its own
language's, was not translated. Add a language by adding a line."""

from __future__ import annotations

from .. import facts

FUNCTION_WORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in {
    "en": "the of and to a in is that for it as with was on be by are this not or from at which but have "
          "an they you we has can will there their if all been more would so what when who also its into "
          "only other no do these than how may some most such each were them your should does",
    "tr": "ve bir bu ile için da de olarak gibi daha çok olan ki ama ancak ise kadar sonra önce göre "
          "arasında tarafından şu her değil var yok ne veya fakat çünkü hem eğer yani bile diye",
    "de": "der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch es an werden aus "
          "er hat dass sie nach bei um wie noch über oder so wird sind kann",
    "fr": "le la les des et est un une du que qui dans pour pas sur au avec ce il elle sont par plus ne se "
          "aux cette mais ou",
    "es": "el la los las y que en un una es por con para no se del al lo como más pero sus le ya o esta",
}.items()}

MIN_WORDS = 6          # fewer words say too little about their language
MIN_SHARE = 0.12       # of a text's words that are the language's function words


def share(text: str, lang: str) -> float:
    """Share of the text's words that are `lang`'s function words. The words are the
    text's own (facts.words_of, read once for every rule), lower-cased plainly: function
    words that open a sentence with a Turkish İ are few enough to miss."""
    words = facts.words_of(text)
    table = FUNCTION_WORDS.get(facts.base(lang))
    if not words or table is None:
        return 0.0
    return sum(map(table.__contains__, map(str.lower, words))) / len(words)


# The commonest function words of each language: a text of MIN_WORDS words or more in
# that language has one of them (a substring test, so most translations are let go at once).
MARKERS: dict[str, tuple[str, ...]] = {
    "en": (" the ", " of ", " and ", " to ", " is ", " a ", " in "),
    "tr": (" ve ", " bir ", " bu ", " ile ", " için ", " da ", " de "),
    "de": (" der ", " die ", " das ", " und ", " ist ", " nicht "),
    "fr": (" le ", " la ", " les ", " des ", " et ", " est "),
    "es": (" el ", " la ", " los ", " y ", " que ", " en "),
}


def reads_as(text: str, lang: str, instead_of: str) -> bool:
    """True when `text` reads as `lang` rather than as `instead_of` (which it should be in)."""
    base = facts.base(lang)
    if base not in FUNCTION_WORDS:
        return False
    padded = " " + " ".join(text.lower().split()) + " "
    if not any(marker in padded for marker in MARKERS.get(base, ())):
        return False
    if len(facts.words_of(text)) < MIN_WORDS:
        return False
    mine = share(text, lang)
    return mine >= MIN_SHARE and mine > 2 * share(text, instead_of)
