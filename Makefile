# Frontline's two commands: `make demo` and `make test`. Everything else supports them.
UV ?= uv

.PHONY: setup demo test test-sqlite test-postgres lint bench messages

setup:  ## Python and front-end dependencies, front-end assets copied into static/vendor
	$(UV) sync --frozen
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent vendor

demo: setup  ## migrate, seed the demo community, print the logins and serve on 127.0.0.1:8000
	$(UV) run frontline demo

test: setup lint  ## the whole suite on SQLite (with the browser tests), then on PostgreSQL
	bash scripts/test.sh

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run frontline makemigrations --check --dry-run
	$(UV) run mypy src/frontline benchmarks

bench: setup  ## performance cases; see benchmarks/README.md
	$(UV) run python -m benchmarks

messages:  ## refresh the translation catalogues after changing strings (needs GNU gettext)
	cd src/frontline && $(UV) run frontline makemessages -l zh_Hans -l en --no-obsolete --ignore 'static/*' --ignore '*/tests/*' && $(UV) run frontline compilemessages
