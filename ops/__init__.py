"""Operations: the production profile (ops/profile.py) and conversation
retention (ops/retention.py)."""
