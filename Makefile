# HazardWatch. The two commands a newcomer needs:
#   make demo   a simulated tank farm feeding the whole pipeline (Ctrl-C stops)
#   make test   every test, with the services they need installed first

.PHONY: demo test build services-up services-down fuzz bench clean

demo:
	scripts/demo.sh

test:
	scripts/test.sh

build:
	go build -o bin/ ./cmd/...

services-up:
	scripts/services.sh up

services-down:
	scripts/services.sh down

# Each fuzz target for a while (FUZZTIME=1m make fuzz).
FUZZTIME ?= 30s
fuzz:
	go test ./internal/wire -run '^$$' -fuzz FuzzDecodeTelemetry -fuzztime $(FUZZTIME)
	go test ./edge/register -run '^$$' -fuzz FuzzExtract -fuzztime $(FUZZTIME)

bench:
	go test -run '^$$' -bench . -benchmem ./...

clean:
	scripts/services.sh down
	rm -rf run bin
