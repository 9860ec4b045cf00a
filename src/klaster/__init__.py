"""klaster — evidence, registry and assessment for national industrial-cluster programmes."""

__version__ = "0.1.0"
