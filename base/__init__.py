"""The shared base every layer uses: where the project's files are
(`base.paths`), languages and countries (`base.locale`) and the content
files (`base.content`). It imports nothing of Rasa and nothing of the
project's other packages."""
