"""Custom actions of the sepsis aftercare assistant (rasa-sdk action server).

Rasa sends the domain only to `validate_*` actions (and any marked
`send_domain: true` in the domain): the endpoints enable Rasa's selective
domain (tests/test_action_requests.py). Other actions get an empty domain,
so they name responses instead of reading their texts."""
