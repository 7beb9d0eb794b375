"""Custom Rasa NLU components of the sepsis aftercare assistant."""
