package telemetry

import "errors"

// resolveConfig parses a config file, overlays the environment and
// validates the result: the same steps at start, at every reload and (with
// no environment) in LoadConfig. It reports the problems of every step at
// once; only a file that is not YAML stops it early.
func resolveConfig(content []byte, getenv func(string) string) (Config, error) {
	cfg, err := parseConfig(content)
	if err != nil && !decoded(err) {
		return Config{}, err
	}
	if err := checkConfig(&cfg, err, getenv); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// checkConfig overlays the environment on cfg and validates the result. It
// returns parseErr joined with the problems of both steps, leaving out
// those about keys parseErr already names: a value that could not be
// decoded kept its default, which says nothing about what the file meant.
func checkConfig(cfg *Config, parseErr error, getenv func(string) string) error {
	errs := flatten(parseErr)
	errs = append(errs, flatten(applyEnv(cfg, getenv))...)
	errs = append(errs, withoutKeysOf(parseErr, cfg.problems())...)
	return errors.Join(errs...)
}

// noEnv is a getenv for which every variable is unset.
func noEnv(string) string { return "" }
