def word_count(text: str) -> dict:
    """Count the words of text, case-insensitively: {word: count}."""
    raise NotImplementedError("word_count")
