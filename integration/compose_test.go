//go:build integration

package integration

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docker-compose.yml must expose what the suite defaults to, so it cannot
// rot unnoticed on machines without Docker.
func TestComposeFileMatchesSuiteDefaults(t *testing.T) {
	path, err := filepath.Abs("../docker-compose.yml")
	require.NoError(t, err)
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithName("kafkatrace"), cli.WithWorkingDirectory(filepath.Dir(path)))
	require.NoError(t, err)
	project, err := opts.LoadProject(context.Background())
	require.NoError(t, err, "docker-compose.yml must load with compose-go")

	kafka, err := project.GetService("kafka")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(kafka.Image, "apache/kafka:"), "official apache/kafka image, got %s", kafka.Image)
	assertPublished(t, kafka, hostPort(t, "tcp://"+defaultBootstrap))
	assert.Contains(t, envOf(kafka, "KAFKA_ADVERTISED_LISTENERS"), "localhost:9092")
	assert.Equal(t, "true", envOf(kafka, "KAFKA_AUTO_CREATE_TOPICS_ENABLE"))
	assert.Contains(t, envOf(kafka, "KAFKA_PROCESS_ROLES"), "controller", "KRaft, no ZooKeeper")
	require.NotNil(t, kafka.HealthCheck, "kafka has a healthcheck")

	jaeger, err := project.GetService("jaeger")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(jaeger.Image, "jaegertracing/jaeger:2."), "Jaeger v2, got %s", jaeger.Image)
	assertPublished(t, jaeger, hostPort(t, "tcp://"+defaultOTLP))
	assertPublished(t, jaeger, hostPort(t, defaultCollector))
	assertPublished(t, jaeger, hostPort(t, defaultQueryURL))
	assertPublished(t, jaeger, "127.0.0.1:4318")
	require.NotNil(t, jaeger.HealthCheck, "jaeger has a healthcheck")

	prom, err := project.GetService("prometheus")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(prom.Image, "prom/prometheus:"), "official prom/prometheus image, got %s", prom.Image)
	assertPublished(t, prom, hostPort(t, defaultPrometheusURL))
	assert.Contains(t, prom.ExtraHosts["host.docker.internal"], "host-gateway", "the container reaches the test process through host.docker.internal")
	require.NotNil(t, prom.HealthCheck, "prometheus has a healthcheck")
	// The scrape configuration is the file mounted where Prometheus reads it.
	_, metricsPort, _ := strings.Cut(metricsAddr, ":")
	scrape := mountedFile(t, prom, promConfigPath(prom))
	assert.Contains(t, scrape, "host.docker.internal:"+metricsPort, "prometheus scrapes the test process's port %s", metricsPort)
	intervals := regexp.MustCompile(`(?m)^\s*scrape_interval:\s*(\S+)`).FindAllStringSubmatch(scrape, -1)
	assert.NotEmpty(t, intervals, "the scrape configuration sets scrape_interval")
	for _, m := range intervals {
		assert.Equal(t, "1s", m[1], "prometheus scrapes every second")
	}
}

// promConfigPath is the configuration file the prometheus service reads:
// --config.file of its command, else the prom/prometheus image's default.
func promConfigPath(svc types.ServiceConfig) string {
	for _, arg := range svc.Command {
		if v, ok := strings.CutPrefix(arg, "--config.file="); ok {
			return v
		}
	}
	return "/etc/prometheus/prometheus.yml"
}

// mountedFile returns the content of the repository file svc binds at target.
func mountedFile(t *testing.T, svc types.ServiceConfig, target string) string {
	t.Helper()
	for _, v := range svc.Volumes {
		if v.Type == types.VolumeTypeBind && v.Target == target {
			b, err := os.ReadFile(v.Source)
			require.NoError(t, err, "service %s mounts %s at %s", svc.Name, v.Source, target)
			return string(b)
		}
	}
	t.Fatalf("service %s binds no file at %s (volumes: %+v)", svc.Name, target, svc.Volumes)
	return ""
}

func hostPort(t *testing.T, rawURL string) string {
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	return u.Host
}

// assertPublished checks that svc publishes addr (host:port) on the same
// container port.
func assertPublished(t *testing.T, svc types.ServiceConfig, addr string) {
	t.Helper()
	host, port, ok := strings.Cut(addr, ":")
	require.True(t, ok)
	for _, p := range svc.Ports {
		if p.Published == port && (p.HostIP == "" || p.HostIP == host) && p.Target > 0 && p.Protocol != "udp" {
			return
		}
	}
	t.Errorf("service %s does not publish %s (ports: %+v)", svc.Name, addr, svc.Ports)
}

func envOf(svc types.ServiceConfig, key string) string {
	if v, ok := svc.Environment[key]; ok && v != nil {
		return *v
	}
	return ""
}
