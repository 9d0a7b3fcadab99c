// Command kube-testcluster is the API server of fluxops's cluster test tier: a real
// kube-apiserver (k8s.io/kubernetes, used as a library exactly as upstream's
// cmd/kube-apiserver does) and a real etcd (go.etcd.io/etcd/server/v3/embed), in one binary.
//
// Subcommands:
//
//	kube-testcluster up DIR             start etcd and kube-apiserver on free loopback ports, each
//	                                    as a child process (self re-exec), wait for /readyz, write
//	                                    DIR/kubeconfig atomically, block until SIGTERM/SIGINT, then
//	                                    stop the API server and etcd in that order
//	kube-testcluster kube-apiserver ... the upstream kube-apiserver command, unchanged
//	kube-testcluster etcd ...           an embedded etcd: --data-dir, --listen-client-url,
//	                                    --listen-peer-url, --log-level
//
// `up` writes into DIR: kubeconfig (contexts "admin" and "reader"), pki/ (a CA, the serving
// certificate for 127.0.0.1/localhost, the service-account key, tokens.csv) and etcd/ (data).
// The user "admin" is in system:masters; "reader" has no groups, so without RBAC bindings it
// may do nothing but discovery. Logs go to stderr.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	_ "time/tzdata" // for timeZone support in CronJob, as upstream
	_ "unsafe"      // for go:linkname (setVersion)

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // as upstream cmd/kube-apiserver
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // as upstream cmd/kube-apiserver
	_ "k8s.io/component-base/metrics/prometheus/version"  // as upstream cmd/kube-apiserver
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

const usage = `usage:
  kube-testcluster up DIR
  kube-testcluster kube-apiserver [flags]
  kube-testcluster etcd --data-dir DIR --listen-client-url URL --listen-peer-url URL
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	setVersion()
	switch os.Args[1] {
	case "kube-apiserver":
		os.Args = append([]string{"kube-apiserver"}, os.Args[2:]...)
		os.Exit(cli.Run(app.NewAPIServerCommand()))
	case "etcd":
		os.Exit(runEtcd(os.Args[2:]))
	case "up":
		if len(os.Args) != 3 {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		if err := up(os.Args[2]); err != nil {
			fmt.Fprintf(os.Stderr, "kube-testcluster up: %v\n", err)
			os.Exit(1)
		}
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
}

// ---------------------------------------------------------------------------------------------
// etcd

func runEtcd(args []string) int {
	fs := flag.NewFlagSet("etcd", flag.ExitOnError)
	dataDir := fs.String("data-dir", "", "etcd data directory (required)")
	client := fs.String("listen-client-url", "", "client URL, e.g. http://127.0.0.1:2379 (required)")
	peer := fs.String("listen-peer-url", "", "peer URL, e.g. http://127.0.0.1:2380 (required)")
	logLevel := fs.String("log-level", "error", "debug, info, warn, error")
	_ = fs.Parse(args)
	if *dataDir == "" || *client == "" || *peer == "" {
		fs.Usage()
		return 2
	}
	cu, err := url.Parse(*client)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd: bad --listen-client-url: %v\n", err)
		return 2
	}
	pu, err := url.Parse(*peer)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd: bad --listen-peer-url: %v\n", err)
		return 2
	}

	// Mirrors k8s.io/apiserver pkg/storage/etcd3/testserver (NewTestConfig/RunEtcd).
	cfg := embed.NewConfig()
	cfg.Name = "kube-testcluster"
	cfg.Dir = *dataDir
	cfg.UnsafeNoFsync = true // test data only
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = *logLevel
	cfg.LogOutputs = []string{"stderr"}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd: %v\n", err)
		return 1
	}
	defer e.Close()
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		fmt.Fprintln(os.Stderr, "etcd: not ready after 60s")
		return 1
	case <-sigs:
		return 0
	}
	select {
	case err := <-e.Err():
		fmt.Fprintf(os.Stderr, "etcd: %v\n", err)
		return 1
	case <-sigs:
		return 0
	}
}

// ---------------------------------------------------------------------------------------------
// up

type child struct {
	name string
	cmd  *exec.Cmd
	done chan error
}

func startChild(name string, args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// Same process group as `up` (the fixture can kill the whole group); and if `up` dies
	// without cleaning up, the kernel kills the children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	return c, nil
}

// stop sends SIGTERM and waits, then SIGKILL.
func (c *child) stop(grace time.Duration) {
	if c == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		fmt.Fprintf(os.Stderr, "kube-testcluster: %s did not stop in %s, killing it\n", c.name, grace)
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func up(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	pki := filepath.Join(dir, "pki")
	if err := os.MkdirAll(pki, 0o700); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(dir, "kubeconfig"))

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	// --- 1. etcd
	var etcd *child
	var etcdURL string
	for attempt := 1; ; attempt++ {
		etcdURL = fmt.Sprintf("http://127.0.0.1:%d", freePort())
		peerURL := fmt.Sprintf("http://127.0.0.1:%d", freePort())
		etcd, err = startChild("etcd", "etcd",
			"--data-dir="+filepath.Join(dir, "etcd"),
			"--listen-client-url="+etcdURL, "--listen-peer-url="+peerURL)
		if err != nil {
			return err
		}
		err = waitHTTP(etcd, sigs, etcdURL+"/health", nil, "", 60*time.Second)
		if err == nil {
			break
		}
		etcd.stop(5 * time.Second)
		if errors.Is(err, errSignalled) {
			return nil
		}
		if attempt == 3 {
			return fmt.Errorf("etcd: %w", err)
		}
	}
	defer etcd.stop(10 * time.Second)

	// --- 2. credentials: CA + serving cert, service-account key, static tokens
	caPEM, err := writePKI(pki)
	if err != nil {
		return err
	}
	adminToken, readerToken := randHex(24), randHex(24)
	tokens := fmt.Sprintf("%s,admin,admin,\"system:masters\"\n%s,reader,reader\n", adminToken, readerToken)
	if err := os.WriteFile(filepath.Join(pki, "tokens.csv"), []byte(tokens), 0o600); err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)

	// --- 3. kube-apiserver
	var apiserver *child
	var port int
	for attempt := 1; ; attempt++ {
		port = freePort()
		apiserver, err = startChild("kube-apiserver", apiserverArgs(pki, etcdURL, port)...)
		if err != nil {
			return err
		}
		base := fmt.Sprintf("https://127.0.0.1:%d", port)
		err = waitHTTP(apiserver, sigs, base+"/readyz", pool, adminToken, 3*time.Minute)
		if err == nil {
			err = waitHTTP(apiserver, sigs, base+"/api/v1/namespaces/default", pool, adminToken, time.Minute)
		}
		if err == nil {
			break
		}
		apiserver.stop(10 * time.Second)
		if errors.Is(err, errSignalled) {
			return nil
		}
		if attempt == 2 || !errors.Is(err, errExited) {
			return fmt.Errorf("kube-apiserver: %w", err)
		}
		fmt.Fprintf(os.Stderr, "kube-testcluster: kube-apiserver exited early (%v), retrying on another port\n", err)
	}
	defer apiserver.stop(30 * time.Second)

	// --- 4. kubeconfig, written atomically: the fixture waits for the file
	kc := kubeconfig(fmt.Sprintf("https://127.0.0.1:%d", port), caPEM, adminToken, readerToken)
	tmp := filepath.Join(dir, "kubeconfig.tmp")
	if err := os.WriteFile(tmp, []byte(kc), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "kubeconfig")); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "kube-testcluster: ready at https://127.0.0.1:%d (kubeconfig %s)\n",
		port, filepath.Join(dir, "kubeconfig"))

	// --- 5. block until asked to stop or a child dies
	select {
	case s := <-sigs:
		fmt.Fprintf(os.Stderr, "kube-testcluster: %s, shutting down\n", s)
		return nil
	case err := <-apiserver.done:
		apiserver.done <- err // let the deferred stop() return at once
		return fmt.Errorf("kube-apiserver exited: %v", err)
	case err := <-etcd.done:
		etcd.done <- err
		return fmt.Errorf("etcd exited: %v", err)
	}
}

func apiserverArgs(pki, etcdURL string, port int) []string {
	return []string{
		"kube-apiserver",
		"--etcd-servers=" + etcdURL,
		"--etcd-prefix=/registry",
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1", // no default route in a sandbox
		"--secure-port=" + fmt.Sprint(port),
		"--cert-dir=" + pki,
		"--tls-cert-file=" + filepath.Join(pki, "apiserver.crt"),
		"--tls-private-key-file=" + filepath.Join(pki, "apiserver.key"),
		"--token-auth-file=" + filepath.Join(pki, "tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + filepath.Join(pki, "sa.key"),
		"--service-account-signing-key-file=" + filepath.Join(pki, "sa.key"),
		"--api-audiences=https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range=10.0.0.0/24",
		// No controller-manager: nothing would create the default ServiceAccount.
		"--disable-admission-plugins=ServiceAccount",
		"--allow-privileged=true",
		"--endpoint-reconciler-type=none", // the loopback address is not a valid endpoint
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--v=0",
	}
}

var (
	errSignalled = errors.New("interrupted by a signal")
	errExited    = errors.New("process exited before it was ready")
)

// waitHTTP polls url until it answers 200, the child exits, a signal arrives or timeout passes.
func waitHTTP(c *child, sigs <-chan os.Signal, u string, pool *x509.CertPool, token string, timeout time.Duration) error {
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	deadline := time.Now().Add(timeout)
	last := "no answer"
	for {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s (last: %s)", u, timeout, last)
		}
		select {
		case err := <-c.done:
			c.done <- err
			return fmt.Errorf("%w: %v", errExited, err)
		case s := <-sigs:
			fmt.Fprintf(os.Stderr, "kube-testcluster: %s while starting, shutting down\n", s)
			return errSignalled
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func kubeconfig(server string, caPEM []byte, adminToken, readerToken string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: kube-testcluster
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: admin
  user:
    token: %s
- name: reader
  user:
    token: %s
contexts:
- name: admin
  context:
    cluster: kube-testcluster
    user: admin
    namespace: default
- name: reader
  context:
    cluster: kube-testcluster
    user: reader
    namespace: default
current-context: admin
`, server, base64.StdEncoding.EncodeToString(caPEM), adminToken, readerToken)
}

// ---------------------------------------------------------------------------------------------
// helpers

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// writePKI writes ca.crt, apiserver.crt/.key (serving 127.0.0.1, ::1, localhost and the in-cluster
// names) and sa.key, and returns the CA certificate in PEM.
func writePKI(pki string) ([]byte, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kube-testcluster-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.0.0.1")},
		DNSNames: []string{"localhost", "kubernetes", "kubernetes.default",
			"kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}

	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}

	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	files := map[string][]byte{
		"ca.crt":        caPEM,
		"apiserver.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		"apiserver.key": ecKeyPEM(srvKey),
		"sa.key":        ecKeyPEM(saKey),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(pki, name), data, 0o600); err != nil {
			return nil, err
		}
	}
	return caPEM, nil
}

func ecKeyPEM(k *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

// ---------------------------------------------------------------------------------------------
// version: a module build reports v0.0.0-master; report the k8s.io/kubernetes module version
// instead, as the upstream build's -ldflags -X would (Helm kubeVersion checks, `kubectl version`).

//go:linkname gitVersion k8s.io/component-base/version.gitVersion
var gitVersion string

//go:linkname gitMajor k8s.io/component-base/version.gitMajor
var gitMajor string

//go:linkname gitMinor k8s.io/component-base/version.gitMinor
var gitMinor string

//go:linkname gitTreeState k8s.io/component-base/version.gitTreeState
var gitTreeState string

// version.Get() reads the git version from here; the package's init() copied gitVersion into it.
//
//go:linkname dynamicGitVersion k8s.io/component-base/version.dynamicGitVersion
var dynamicGitVersion atomic.Value

func setVersion() {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	for _, dep := range info.Deps {
		if dep.Path != "k8s.io/kubernetes" {
			continue
		}
		v := dep.Version
		if dep.Replace != nil {
			v = dep.Replace.Version
		}
		parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
		if len(parts) < 2 {
			return
		}
		gitVersion, gitMajor, gitMinor, gitTreeState = v, parts[0], parts[1], "clean"
		dynamicGitVersion.Store(v)
		return
	}
}
