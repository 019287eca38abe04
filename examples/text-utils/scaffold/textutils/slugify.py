def slugify(text: str, sep: str = "-") -> str:
    """Turn text into a URL slug: lower-case ASCII words joined by sep."""
    raise NotImplementedError("slugify")
