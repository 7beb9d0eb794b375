"""Input channels of the sepsis aftercare assistant."""
