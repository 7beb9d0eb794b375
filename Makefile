# The two commands of the README. Both set everything up on a fresh machine.
.PHONY: run test train setup

run:    ## install what is missing, train if needed, start the assistant
	@bash scripts/run.sh

test:   ## install what is missing, train if needed, run every test
	@bash scripts/test.sh

train:  ## train only if data, domain or config changed
	@bash scripts/train.sh

setup:  ## create .venv and install the pinned dependencies
	@bash scripts/setup.sh
