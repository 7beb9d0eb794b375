"""Custom actions of the sepsis aftercare assistant (rasa-sdk action server)."""
