import re
from collections import Counter

# Runs of letters or digits, with apostrophes allowed inside a word ("don't").
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def word_count(text: str) -> dict:
    """Count the words of text, case-insensitively: {word: count}."""
    return dict(Counter(WORD.findall(text.lower())))
