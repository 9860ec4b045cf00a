"""Analysis: statistics datasets mapped in the background, reports, region opportunities,
and "record as potential cluster" into the registry."""
