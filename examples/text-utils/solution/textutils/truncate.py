def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten text to at most limit characters, ending with ellipsis when cut."""
    if len(text) <= limit:
        return text
    if limit < len(ellipsis):
        raise ValueError(f"limit {limit} is shorter than the ellipsis {ellipsis!r}")
    room = limit - len(ellipsis)
    kept = text[:room]
    # Prefer to cut at the last space, unless the text continues with a space anyway.
    if text[room:room + 1] != " " and " " in kept.strip():
        kept = kept[: kept.rstrip().rfind(" ")]
    return kept.rstrip() + ellipsis
