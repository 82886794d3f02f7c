# The project's commands; each one sets up what it needs first (scripts/setup.sh).
.PHONY: run test shell setup train check lock clean help
.DEFAULT_GOAL := help

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

run: ## Set up, train if needed, start the action server and the Rasa server
	@bash scripts/run.sh

test: ## Set up, then lint, types, tests, data validation, test stories, NLU evaluation
	@bash scripts/test.sh

shell: ## Chat with the assistant in the terminal
	@bash scripts/shell.sh

setup: ## Only the set-up: virtual environment, pinned packages, spaCy pipeline
	@bash scripts/setup.sh

train: ## Train the model if data or config changed
	@bash scripts/setup.sh && bash scripts/train.sh

lock: ## Re-pin requirements.txt from requirements.in in a fresh environment
	@bash scripts/lock.sh

clean: ## Remove generated files (virtual environment, models, built pipeline, results)
	rm -rf .venv models nlp/build results var .rasa .mypy_cache .pytest_cache .ruff_cache
