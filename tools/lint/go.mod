// Tool-only module: the linters behind `make staticcheck` / `make govulncheck`
// (mk/lint.mk). Kept apart so the library's go.mod does not gain their
// dependencies. Run them with `go tool -modfile=tools/lint/go.mod <name>`.
// Upgrade with `go get -tool <pkg>@latest && go mod tidy` in this directory.
// govulncheck is held at v1.8.0: v1.9.0 requires golang.org/x/telemetry
// v0.0.0-20261010193011-f71dc92da45e, which the module proxy answers 403 for.
module github.com/kafkatrace/kafkatrace/tools/lint

go 1.26.0

tool (
	golang.org/x/vuln/cmd/govulncheck
	honnef.co/go/tools/cmd/staticcheck
)

require (
	github.com/BurntSushi/toml v1.4.1-0.20240526193622-a339e1f7089c // indirect
	golang.org/x/exp/typeparams v0.0.0-20231108232855-2478ac86f678 // indirect
	golang.org/x/mod v0.41.0 // indirect
	golang.org/x/sync v0.23.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/telemetry v0.0.0-20260924152758-ed294f943157 // indirect
	golang.org/x/tools v0.51.0 // indirect
	golang.org/x/vuln v1.8.0 // indirect
	honnef.co/go/tools v0.8.2 // indirect
)
