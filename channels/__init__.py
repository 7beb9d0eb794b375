"""Input channels of the sepsis aftercare assistant.

Importing the package (the Rasa server does, for the channels in
credentials.yml) also installs two measured speed-ups of Rasa's own
machinery: a reused validator for the action server's answers
(channels/action_validation.py) and a graph runner without dask
(channels/graph_runner.py). They live here, not in components/, so the
action server, which imports base.locale, stays free of Rasa.
"""
from channels import action_validation, graph_runner

action_validation.install()
graph_runner.install()
