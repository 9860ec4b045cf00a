"""Tests of klaster.relatedness (package marker: unique module names)."""
