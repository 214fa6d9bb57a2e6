package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// PostgresEnv names the URL of the test PostgreSQL server that .ci/run
// starts on loopback (a superuser, trust authentication).
const PostgresEnv = "DJANGO_SERVERLESS_TEST_POSTGRES"

var (
	pgOnce sync.Once
	pgErr  error
)

// Postgres returns the URL of the shared test PostgreSQL server (from
// DJANGO_SERVERLESS_TEST_POSTGRES), checked with psql, or skips/fails t.
// Tests that use it create databases of their own names and drop them;
// tests that stop or restart a server use PostgresCluster instead.
func Postgres(t testing.TB) string {
	t.Helper()
	url := os.Getenv(PostgresEnv)
	if url == "" {
		Missing(t, "%s is not set (apt-get install postgresql python3-psycopg2; .ci/run starts a server and sets it)", PostgresEnv)
		return ""
	}
	pgOnce.Do(func() {
		_, pgErr = psql(url, "SELECT 1")
	})
	if pgErr != nil {
		Missing(t, "PostgreSQL at %s: %v", url, pgErr)
	}
	return url
}

// Psql runs one SQL statement with psql against url and returns its
// unaligned, tuples-only output, trimmed; a failure fails t.
func Psql(t testing.TB, url, sql string) string {
	t.Helper()
	out, err := psql(url, sql)
	if err != nil {
		t.Fatalf("psql %q: %v", sql, err)
	}
	return out
}

func psql(url, sql string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "psql", "-X", "-v", "ON_ERROR_STOP=1", "-Atq", "-d", url, "-c", sql)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=5")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// Cluster is a private PostgreSQL server for one test: its own data
// folder and loopback port, stopped and removed when the test ends.
type Cluster struct {
	// URL connects as the superuser "postgres" to database "postgres".
	URL  string
	Port int

	bin, dir string
	asUser   []string // runuser prefix when running as root
}

// PostgresCluster starts a private server (initdb + pg_ctl from Debian's
// postgresql package; as the postgres user when the test runs as root,
// which PostgreSQL refuses to run as), or skips/fails t.
func PostgresCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		Missing(t, "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
		return nil
	}
	if _, err := exec.LookPath("psql"); err != nil {
		Missing(t, "psql not on PATH (apt-get install postgresql-client)")
		return nil
	}
	c := &Cluster{bin: bin}
	dir, err := os.MkdirTemp("", "django-serverless-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if u, err := user.Current(); err == nil && u.Uid == "0" {
		pg, err := user.Lookup("postgres")
		if err != nil {
			Missing(t, "running as root and there is no postgres user to run the server as")
			return nil
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Port = freePort(t)
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres", c.Port)
	t.Cleanup(func() { c.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop") })
	c.Start(t)
	return c
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories='' -c fsync=off -c max_connections=200", c.Port)
	if out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// Stop stops the server (fast shutdown: sessions are ended).
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "stop"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// Restart stops and starts the server: every connection is cut.
func (c *Cluster) Restart(t testing.TB) {
	t.Helper()
	c.Stop(t)
	c.Start(t)
}

func (c *Cluster) run(tool string, args ...string) ([]byte, error) {
	argv := append(append([]string(nil), c.asUser...), append([]string{filepath.Join(c.bin, tool)}, args...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = os.TempDir()
	return cmd.CombinedOutput()
}

// postgresBin is the newest /usr/lib/postgresql/*/bin with initdb, or "".
func postgresBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
