from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def save_screenshot(target, name, **options):
    """Save a page or a locator as test-artifacts/screenshots/NAME.png (the
    pictures a reviewer opens after `make test`)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    target.screenshot(path=str(path), **options)
    return path
