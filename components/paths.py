"""Where the project's content files live, independent of the working directory."""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = PROJECT_ROOT / "content"


def project_path(relative: str) -> Path:
    """Resolve a path given relative to the project root (absolute paths pass)."""
    path = Path(relative)
    return path if path.is_absolute() else PROJECT_ROOT / path
