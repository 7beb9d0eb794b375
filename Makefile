# The two commands of the README. Both set everything up on a fresh machine.
.PHONY: run test test-fast check train setup prod prod-stop bench new-topic check-content review-sheet audit batch-check

run:    ## install what is missing, train if needed, start the assistant
	@bash scripts/run.sh

test:   ## install what is missing, train if needed, run every test
	@bash scripts/test.sh

check:  ## ruff (lint, format) and mypy on the project's packages; `make test` runs it first
	@bash scripts/check.sh

test-fast:  ## the tests that need no model, server or browser (about a minute): pytest -m "not slow"
	@bash scripts/setup.sh
	@.venv/bin/python -m pytest -m "not slow" $(ARGS)

train:  ## train only if data, domain or config changed
	@bash scripts/train.sh

setup:  ## create .venv and install the pinned dependencies
	@bash scripts/setup.sh

bench:  ## performance benchmark against Rasa's default setup (ARGS=--quick); docs/performance.md
	@bash scripts/setup.sh
	@.venv/bin/python -m bench.run $(ARGS)

audit:  ## pip-audit requirements.lock (own tool venv); exit 3 = service unreachable, NOT a pass
	@bash scripts/audit.sh

new-topic:  ## a new topic's files, ready to fill in: make new-topic TOPIC=pet_visits TITLE_NL="..." TITLE_EN="..."
	@test -n "$(TOPIC)" || { echo 'usage: make new-topic TOPIC=<id> [TITLE_NL="..."] [TITLE_EN="..."]'; exit 2; }
	@bash scripts/setup.sh
	@.venv/bin/python -m authoring.scaffold "$(TOPIC)" --title-nl "$(TITLE_NL)" --title-en "$(TITLE_EN)"

check-content:  ## check topics, examples, answers, stories and readability (ARGS=--report for every score)
	@bash scripts/setup.sh
	@.venv/bin/python -m authoring.check $(ARGS)

review-sheet:  ## write docs/clinical-review.md: every answer, its sources and its clinical sign-off (content/clinical_signoff.yml)
	@bash scripts/setup.sh
	@.venv/bin/python -m authoring.review_sheet

batch-check:  ## what the assistant answers to each phrase: make batch-check CSV=phrases.csv [OUT=reports/x]; without CSV the held-out sets
	@bash scripts/setup.sh
	@.venv/bin/python -m staff.batch_check $(if $(CSV),"$(CSV)",--from-nlu) --out "$(or $(OUT),reports/$(if $(CSV),$(basename $(notdir $(CSV))),heldout))"

prod:   ## the production profile locally: PostgreSQL, Redis, 2 Rasa servers, actions, nginx
	@bash scripts/prod.sh start

prod-stop:  ## stop the production profile (data stays in .prod/)
	@bash scripts/prod.sh stop
