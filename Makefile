# The project's commands; each one sets up what it needs first (scripts/setup.sh).
.PHONY: run test test-fast shell setup train screenshot forget purge bench lock clean help \
  staff staff-user check publish
.DEFAULT_GOAL := help

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## Set up, train if needed, start the assistant and the demo clinic page (localhost:8080)
	@bash scripts/run.sh

test: ## Set up, then lint, types, tests, data validation, test stories, NLU evaluation
	@bash scripts/test.sh

test-fast: ## Lint, types and the unit tests, tests/unit/ (no servers, no browser): the quick loop
	@bash scripts/test_fast.sh

shell: ## Chat with the assistant in the terminal
	@bash scripts/shell.sh

setup: ## Only the set-up: venv, pinned packages, spaCy pipeline, chat widget, Chromium
	@bash scripts/setup.sh

train: ## Train the model if data or config changed
	@bash scripts/setup.sh && bash scripts/train.sh

staff: ## Start the staff app alone (http://localhost:8090); `make run` starts it with the rest
	@bash scripts/staff.sh serve

staff-user: ## Create a staff account or set its password: make staff-user NAME=<name>
	@bash scripts/staff.sh user "$(NAME)"

check: ## Check the assistant's data in plain words (what the staff app checks, and Rasa's own)
	@bash scripts/staff.sh check

publish: ## Retrain, test and load the new model into the running assistant (as the app's button)
	@bash scripts/staff.sh publish

screenshot: ## Write docs/widget.png and docs/widget-phone.png: the chat widget mid-conversation
	@bash scripts/screenshot.sh

forget: ## Delete one person's conversation and their words in the staff app's files: make forget SENDER=<id>
	@bash scripts/retention.sh forget "$(SENDER)"

purge: ## Delete conversations with no event for DAYS days: make purge DAYS=<n>
	@bash scripts/retention.sh purge "$(DAYS)"

bench: ## Benchmark config.yml against Rasa's default config (about 80 min; bench/results/)
	@bash scripts/bench.sh $(BENCH_ARGS)

lock: ## Re-pin requirements.txt from requirements.in in a fresh environment
	@bash scripts/lock.sh

clean: ## Remove generated files (virtual environment, models, built pipeline, results)
	rm -rf .venv models nlp/build results bench/work var .rasa .mypy_cache .pytest_cache .ruff_cache \
	  web/node_modules
