import os

from hypothesis import settings

# Numerical property tests: no deadline (the machine is shared and noisy), a fixed budget.
settings.register_profile("default", deadline=None, max_examples=60)
settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
