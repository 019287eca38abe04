from textutils.word_count import word_count


def test_counts_words_case_insensitively():
    assert word_count("The cat and the hat. THE END") == {"the": 3, "cat": 1, "and": 1, "hat": 1, "end": 1}


def test_keeps_inner_apostrophes_and_digits():
    assert word_count("Don't stop: don't! 2 times 2") == {"don't": 2, "stop": 1, "2": 2, "times": 1}


def test_ignores_punctuation_and_whitespace_only_input():
    assert word_count("") == {}
    assert word_count("  ... --- !!!\n\t") == {}


def test_unicode_letters_are_word_characters():
    assert word_count("Café café naïve") == {"café": 2, "naïve": 1}
