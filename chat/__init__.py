"""What one chat message is, for every way in: the request schema and its
limits (request.py), the answers' collector (output.py) and the locale a
button payload carries (payload.py). Used by channels/ and staff/, which
never import each other; builds on base/."""
