import pytest

from textutils.truncate import truncate


def test_short_text_is_returned_unchanged():
    assert truncate("short", 10) == "short"
    assert truncate("exactly ten", 11) == "exactly ten"


def test_result_never_exceeds_the_limit():
    for limit in range(1, 40):
        assert len(truncate("The quick brown fox jumps over the lazy dog", limit)) <= limit


def test_cuts_at_a_word_boundary_and_appends_the_ellipsis():
    assert truncate("The quick brown fox jumps", 16) == "The quick brown…"
    assert truncate("The quick brown fox jumps", 12) == "The quick…"


def test_hard_cut_when_there_is_no_space():
    assert truncate("Supercalifragilistic", 8) == "Superca…"


def test_custom_ellipsis():
    assert truncate("one two three four", 12, ellipsis="...") == "one two..."


def test_limit_smaller_than_the_ellipsis_is_an_error():
    with pytest.raises(ValueError):
        truncate("anything long", 2, ellipsis="...")
