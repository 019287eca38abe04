def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten text to at most limit characters, ending with ellipsis when cut."""
    if len(text) <= limit:
        return text
    if limit < len(ellipsis):
        raise ValueError(f"limit {limit} is shorter than the ellipsis {ellipsis!r}")
    kept = text[:limit]
    if " " in kept:
        kept = kept[: kept.rfind(" ")]
    return kept.rstrip() + ellipsis
