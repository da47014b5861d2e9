package interceptor_test

import (
	"bufio"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// kfakeBroker runs franz-go's in-memory Kafka (tools/kfake, built for the
// test) on a free loopback port until the test ends, and returns its address.
// Tests use it where librdkafka's mock cluster departs from Kafka: the mock
// refuses every offset commit while its group is rebalancing, where Kafka
// (and kfake) accept commits of the current generation until the rebalance
// completes, which is what a consumer's revoke callback relies on.
func kfakeBroker(t *testing.T, partitions int, args ...string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command builds tools/kfake")
	bin := t.TempDir() + "/kfake"
	build := exec.Command(goBin, "build", "-mod=readonly", "-o", bin, ".")
	build.Dir = "../../tools/kfake"
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building tools/kfake: %s", out)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	cmd := exec.Command(bin, append([]string{"-addr", addr, "-partitions", strconv.Itoa(partitions), "-log-level", "error"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	ready := make(chan struct{})
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "kfake listening on ") {
				close(ready)
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-scanned
		_ = cmd.Wait()
	})
	select {
	case <-ready:
	case <-scanned:
		t.Fatalf("kfake exited: %s", stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("kfake did not start")
	}
	return addr
}
