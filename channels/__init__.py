"""Input channels of the sepsis aftercare assistant (credentials.yml). The
REST channel turns on the project's pieces of Rasa internals (rasa_ext)
when the Rasa server creates it."""
