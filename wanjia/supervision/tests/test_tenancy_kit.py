"""The supervision app's tenancy kits, one module per area: the kernel's
meta test (core/tests/test_tenancy_meta.py) imports this module to find them."""

from . import test_inspections_tenancy_kit  # noqa: F401
