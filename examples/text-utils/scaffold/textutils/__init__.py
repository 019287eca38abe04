"""Small text utilities: one module per function (slugify, word_count, truncate)."""
