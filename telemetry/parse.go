package telemetry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// LoadConfig reads the YAML file at path over [DefaultConfig] and validates
// it. It does not apply environment variables: [Start] does that. Errors name
// the offending key, such as sampling.rules[2].ratio, and every problem is
// reported, not only the first.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("telemetry: read config: %w", err)
	}
	cfg, err := resolveConfig(data, noEnv)
	if err != nil {
		return Config{}, fmt.Errorf("telemetry: config %s: %w", path, err)
	}
	return cfg, nil
}

// parseConfig decodes data over DefaultConfig. Instead of the yaml package's
// struct decoding (whose KnownFields errors name Go types, not keys), it
// walks the document against Config's yaml tags itself, so that unknown
// keys, missing required keys and type errors all come out as key paths,
// every one of them. Leaf values are still decoded by the yaml package; a
// leaf that does not decode keeps its default. When the document could be
// walked, the errors are all keyErrors (see [decoded]) and the Config holds
// everything else the file says.
func parseConfig(data []byte) (Config, error) {
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // an empty file means the defaults
		}
		return cfg, err
	}
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		return cfg, errors.New("want a single YAML document")
	}
	return cfg, decodeValue(doc.Content[0], reflect.ValueOf(&cfg).Elem(), "")
}

// decoded reports whether parseConfig walked the whole document: every
// problem in err concerns one key.
func decoded(err error) bool {
	for _, e := range flatten(err) {
		if _, ok := e.(*keyError); !ok {
			return false
		}
	}
	return true
}

var durationType = reflect.TypeOf(time.Duration(0))

func decodeValue(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	isNull := n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
	switch {
	case v.Kind() == reflect.Struct && v.Type() != durationType:
		if isNull {
			return nil // an empty section keeps its defaults
		}
		if n.Kind != yaml.MappingNode {
			return keyErrorf(orRoot(path), "want a mapping (line %d)", n.Line)
		}
		return decodeStruct(n, v, path)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		if isNull {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return keyErrorf(path, "want a list (line %d)", n.Line)
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		var errs []error
		for i, item := range n.Content {
			errs = append(errs, decodeValue(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i)))
		}
		v.Set(s)
		return errors.Join(errs...)
	}
	nv := reflect.New(v.Type()) // a copy, so that a failed decode leaves v alone
	nv.Elem().Set(v)
	if err := n.Decode(nv.Interface()); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return keyErrorf(path, "%s", strings.Join(te.Errors, "; "))
		}
		return keyErrorf(path, "%w", err)
	}
	v.Set(nv.Elem())
	return nil
}

func decodeStruct(n *yaml.Node, v reflect.Value, path string) error {
	t := v.Type()
	index := make(map[string]int, t.NumField())
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		index[key] = i
		keys = append(keys, key)
	}
	var errs []error
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		p := joinKey(path, k.Value)
		f, ok := index[k.Value]
		if !ok {
			errs = append(errs, keyErrorf(p, "unknown key (line %d); known keys: %s", k.Line, strings.Join(keys, ", ")))
			continue
		}
		seen[k.Value] = true
		errs = append(errs, decodeValue(val, v.Field(f), p))
	}
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("required") == "true" && !seen[keys[i]] {
			errs = append(errs, keyErrorf(joinKey(path, keys[i]), "required key missing (line %d)", n.Line))
		}
	}
	return errors.Join(errs...)
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "config"
	}
	return path
}
