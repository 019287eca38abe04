from textutils.slugify import slugify


def test_lowercases_and_joins_words_with_hyphens():
    assert slugify("Hello World") == "hello-world"


def test_drops_punctuation_and_collapses_separators():
    assert slugify("Hello, World!  It's -- great") == "hello-world-it-s-great"


def test_strips_leading_and_trailing_separators():
    assert slugify("  --Already sluggy--  ") == "already-sluggy"


def test_folds_accents_to_ascii():
    assert slugify("Crème Brûlée à la carte") == "creme-brulee-a-la-carte"


def test_custom_separator():
    assert slugify("Snake case me", sep="_") == "snake_case_me"


def test_empty_and_symbol_only_input():
    assert slugify("") == ""
    assert slugify("!!! ???") == ""
