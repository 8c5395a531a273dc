import os
import platform

from hypothesis import settings

# Numerical property tests: no deadline (the machine is shared and noisy), a fixed budget.
settings.register_profile("default", deadline=None, max_examples=60)
settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_report_header(config):
    """Say which versions ran: CI tests the lowest and the newest ends of the declared ranges."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("numpy", "matplotlib", "nbval", "hypothesis", "nbdev"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} missing")
    return f"nnbook with Python {platform.python_version()}, " + ", ".join(found)
