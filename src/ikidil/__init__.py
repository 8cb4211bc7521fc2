"""ikidil — build bilingual (Turkish/English) books from aligned Markdown chapters.

The pipeline runs one way: load → check → transform → render.
"""

__version__ = "0.1.0"
