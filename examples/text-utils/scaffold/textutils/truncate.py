def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten text to at most limit characters, ending with ellipsis when cut."""
    raise NotImplementedError("truncate")
