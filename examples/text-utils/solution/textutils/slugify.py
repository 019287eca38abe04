import re
import unicodedata


def slugify(text: str, sep: str = "-") -> str:
    """Turn text into a URL slug: lower-case ASCII words joined by sep."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return sep.join(words)
