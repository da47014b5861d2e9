package interceptor_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// Version is the newest released version in CHANGELOG.md, so that a release
// cannot forget to bump it (or the changelog).
func TestVersionMatchesChangelog(t *testing.T) {
	b, err := os.ReadFile("../CHANGELOG.md")
	if err != nil {
		t.Fatalf("reading the changelog: %v", err)
	}
	m := regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d{2}-\d{2}$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("CHANGELOG.md has no released version heading (## [x.y.z] - YYYY-MM-DD)")
	}
	if got := string(m[1]); got != interceptor.Version {
		t.Errorf("interceptor.Version is %q, the newest release in CHANGELOG.md is %q", interceptor.Version, got)
	}
}
