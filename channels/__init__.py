"""Input channels of the sepsis aftercare assistant.

Importing the package (the Rasa server does, for the channels in
credentials.yml) also makes Rasa check the action server's answers with a
reused validator (channels/action_validation.py), a measured speed-up. It
lives here, not in components/, so the action server, which imports
components.locale, stays free of Rasa.
"""
from channels import action_validation

action_validation.install()
