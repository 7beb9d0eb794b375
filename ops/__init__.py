"""Operations: the production profile (ops/profile.py: deploy/Procfile.prod run
by honcho), readiness checks (ops/ready.py) and conversation retention
(ops/retention.py)."""
