package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// doc is one parsed YAML document and the file it came from.
type doc struct {
	file string
	m    map[string]any
}

// loadYAML parses every document of a YAML file.
func loadYAML(t *testing.T, path string) []doc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []doc
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if m != nil {
			out = append(out, doc{file: path, m: m})
		}
	}
}

// get walks a path of map keys and list indexes ("spec", "template", 0, ...).
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}

// k8sDocs parses every manifest of k8s/ except the kustomization.
func k8sDocs(t *testing.T) []doc {
	t.Helper()
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []doc
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		for _, d := range loadYAML(t, f) {
			if str(d.m, "apiVersion") == "" || str(d.m, "kind") == "" || str(d.m, "metadata", "name") == "" {
				t.Errorf("%s: a document without apiVersion, kind or metadata.name", f)
			}
			out = append(out, d)
		}
	}
	return out
}

func ofKind(docs []doc, kind string) []doc {
	var out []doc
	for _, d := range docs {
		if str(d.m, "kind") == kind {
			out = append(out, d)
		}
	}
	return out
}

func named(docs []doc, kind, name string) map[string]any {
	for _, d := range ofKind(docs, kind) {
		if str(d.m, "metadata", "name") == name {
			return d.m
		}
	}
	return nil
}

// configSettings reads the HIKIAI_* variables of cmd/hikiai/config.go's table.
func configSettings(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../cmd/hikiai/config.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`\{"(HIKIAI_[A-Z0-9_]+)"`).FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = true
	}
	if !out["HIKIAI_ADDR"] || !out["HIKIAI_REDIS_URL"] {
		t.Fatalf("could not read the settings table of config.go (found %v)", out)
	}
	return out
}

func imageRepo(image string) string {
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		return image[:i]
	}
	return image
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	k := loadYAML(t, "k8s/kustomization.yaml")[0].m
	var listed []string
	for _, r := range list(k, "resources") {
		listed = append(listed, r.(string))
	}
	files, _ := filepath.Glob("k8s/*.yaml")
	var present []string
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" {
			present = append(present, b)
		}
	}
	sort.Strings(listed)
	sort.Strings(present)
	if !slices.Equal(listed, present) {
		t.Errorf("kustomization resources %v, files %v", listed, present)
	}
}

func TestHikiaiDeployment(t *testing.T) {
	docs := k8sDocs(t)
	settings := configSettings(t)
	deps := ofKind(docs, "Deployment")
	if len(deps) == 0 {
		t.Fatal("no Deployment in k8s/")
	}
	for _, d := range deps {
		name := str(d.m, "metadata", "name")
		t.Run(name, func(t *testing.T) {
			spec := get(d.m, "spec")
			if r, _ := get(spec, "replicas").(int); r < 2 {
				t.Errorf("replicas %v: want 2 or more (stateless replicas over Redis)", get(spec, "replicas"))
			}
			if str(spec, "selector", "matchLabels", "app.kubernetes.io/name") != str(spec, "template", "metadata", "labels", "app.kubernetes.io/name") {
				t.Error("selector does not match the pod labels")
			}
			pod := get(spec, "template", "spec")
			checkPodNonRoot(t, pod)
			containers := list(pod, "containers")
			if len(containers) == 0 {
				t.Fatal("no containers")
			}
			for _, c := range containers {
				checkContainer(t, c)
				ports := map[string]int{}
				for _, p := range list(c, "ports") {
					n, _ := get(p, "containerPort").(int)
					ports[str(p, "name")] = n
				}
				for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
					if got := str(c, probe, "httpGet", "path"); got != path {
						t.Errorf("%s path %q, want %s", probe, got, path)
					}
					port := get(c, probe, "httpGet", "port")
					if n, ok := port.(int); ok {
						if !slices.Contains(mapValues(ports), n) {
							t.Errorf("%s port %d is not a container port", probe, n)
						}
					} else if _, ok := ports[str(c, probe, "httpGet", "port")]; !ok {
						t.Errorf("%s port %v is not a named container port", probe, port)
					}
				}
				for _, e := range list(c, "env") {
					n := str(e, "name")
					if strings.HasPrefix(n, "HIKIAI_") && !settings[n] {
						t.Errorf("env %s is not a setting of cmd/hikiai/config.go", n)
					}
				}
				if addr := envValue(c, "HIKIAI_ADDR"); addr == "" || strings.HasPrefix(addr, "127.") {
					t.Errorf("HIKIAI_ADDR %q: the container must listen beyond loopback for probes and the Service", addr)
				}
				if !hasEnv(c, "HIKIAI_REDIS_URL") {
					t.Error("HIKIAI_REDIS_URL is not set: replicas cannot share the embedded store")
				}
			}
		})
	}
	if named(docs, "PodDisruptionBudget", "hikiai") == nil {
		t.Error("no PodDisruptionBudget for hikiai")
	}
	if named(docs, "Service", "hikiai") == nil {
		t.Error("no Service for hikiai")
	}
}

func mapValues(m map[string]int) []int {
	out := make([]int, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func envValue(c any, name string) string {
	for _, e := range list(c, "env") {
		if str(e, "name") == name {
			return str(e, "value")
		}
	}
	return ""
}

func hasEnv(c any, name string) bool {
	for _, e := range list(c, "env") {
		if str(e, "name") == name {
			return true
		}
	}
	return false
}

func checkPodNonRoot(t *testing.T, pod any) {
	t.Helper()
	if get(pod, "securityContext", "runAsNonRoot") != true {
		t.Error("pod securityContext.runAsNonRoot is not true")
	}
	if u, ok := get(pod, "securityContext", "runAsUser").(int); ok && u == 0 {
		t.Error("pod runs as uid 0")
	}
}

func checkContainer(t *testing.T, c any) {
	t.Helper()
	name := str(c, "name")
	for _, kind := range []string{"requests", "limits"} {
		for _, res := range []string{"cpu", "memory"} {
			if get(c, "resources", kind, res) == nil {
				t.Errorf("container %s: resources.%s.%s is not set", name, kind, res)
			}
		}
	}
	if get(c, "securityContext", "allowPrivilegeEscalation") != false {
		t.Errorf("container %s: allowPrivilegeEscalation is not false", name)
	}
	if get(c, "securityContext", "readOnlyRootFilesystem") != true {
		t.Errorf("container %s: readOnlyRootFilesystem is not true", name)
	}
	if u, ok := get(c, "securityContext", "runAsUser").(int); ok && u == 0 {
		t.Errorf("container %s runs as uid 0", name)
	}
	if !slices.Contains(list(c, "securityContext", "capabilities", "drop"), any("ALL")) {
		t.Errorf("container %s does not drop ALL capabilities", name)
	}
}

func TestSecretsExist(t *testing.T) {
	docs := k8sDocs(t)
	secrets := map[string]map[string]bool{}
	for _, d := range ofKind(docs, "Secret") {
		keys := map[string]bool{}
		for _, field := range []string{"stringData", "data"} {
			if m, ok := get(d.m, field).(map[string]any); ok {
				for k := range m {
					keys[k] = true
				}
			}
		}
		secrets[str(d.m, "metadata", "name")] = keys
	}
	refs := 0
	for _, kind := range []string{"Deployment", "StatefulSet"} {
		for _, d := range ofKind(docs, kind) {
			for _, c := range list(d.m, "spec", "template", "spec", "containers") {
				for _, e := range list(c, "env") {
					ref := get(e, "valueFrom", "secretKeyRef")
					if ref == nil {
						continue
					}
					refs++
					if !secrets[str(ref, "name")][str(ref, "key")] {
						t.Errorf("%s %s reads secret %s key %s, which k8s/secret.yaml does not define",
							kind, str(d.m, "metadata", "name"), str(ref, "name"), str(ref, "key"))
					}
				}
			}
		}
	}
	if refs == 0 {
		t.Error("no container reads a Secret: keys and the Redis URL belong in one")
	}
}

// redisConfChecks are the settings Hikiai's durability relies on.
var redisConfChecks = map[string]string{"appendonly": "yes", "appendfsync": "always", "maxmemory-policy": "noeviction"}

func parseRedisConf(text string) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		out[strings.ToLower(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return out
}

func TestRedisDurability(t *testing.T) {
	raw, err := os.ReadFile("redis.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := parseRedisConf(string(raw))
	for k, want := range redisConfChecks {
		if conf[k] != want {
			t.Errorf("redis.conf: %s %q, want %q", k, conf[k], want)
		}
	}

	docs := k8sDocs(t)
	cm := named(docs, "ConfigMap", "redis-conf")
	if cm == nil {
		t.Fatal("no ConfigMap redis-conf")
	}
	if got := str(cm, "data", "redis.conf"); got != string(raw) {
		t.Error("the redis.conf of ConfigMap redis-conf differs from deploy/redis.conf: keep them identical")
	}
	sts := named(docs, "StatefulSet", "redis")
	if sts == nil {
		t.Fatal("no StatefulSet redis")
	}
	if len(list(sts, "spec", "volumeClaimTemplates")) == 0 {
		t.Error("the Redis StatefulSet has no volumeClaimTemplates: AOF needs a persistent volume")
	}
	pod := get(sts, "spec", "template", "spec")
	checkPodNonRoot(t, pod)
	mountsData, readsConf := false, false
	for _, c := range list(pod, "containers") {
		checkContainer(t, c)
		for _, m := range list(c, "volumeMounts") {
			mountsData = mountsData || str(m, "mountPath") == conf["dir"]
		}
		for _, a := range append(list(c, "command"), list(c, "args")...) {
			readsConf = readsConf || strings.HasSuffix(a.(string), "redis.conf")
		}
		if get(c, "readinessProbe") == nil || get(c, "livenessProbe") == nil {
			t.Error("the Redis container lacks a readiness or liveness probe")
		}
	}
	if !mountsData {
		t.Errorf("no Redis volume is mounted at its dir %q", conf["dir"])
	}
	if !readsConf {
		t.Error("redis-server is not started with the redis.conf of the ConfigMap")
	}
}

func TestCompose(t *testing.T) {
	c := loadYAML(t, "compose.yaml")[0].m
	settings := configSettings(t)
	hik, redis := get(c, "services", "hikiai"), get(c, "services", "redis")
	if hik == nil || redis == nil {
		t.Fatal("compose.yaml needs services hikiai and redis")
	}
	env, _ := get(hik, "environment").(map[string]any)
	for k := range env {
		if strings.HasPrefix(k, "HIKIAI_") && !settings[k] {
			t.Errorf("compose sets %s, which is not a setting of cmd/hikiai/config.go", k)
		}
	}
	if u, _ := env["HIKIAI_REDIS_URL"].(string); !strings.HasPrefix(u, "redis://redis:") {
		t.Errorf("HIKIAI_REDIS_URL %q does not point at the redis service", u)
	}
	if user := str(hik, "user"); user == "" || strings.HasPrefix(user, "0") || user == "root" {
		t.Errorf("hikiai user %q: want a non-root uid", user)
	}
	if str(hik, "depends_on", "redis", "condition") != "service_healthy" {
		t.Error("hikiai does not wait for a healthy redis")
	}
	if get(redis, "healthcheck", "test") == nil {
		t.Error("redis has no healthcheck")
	}
	// Redis gets its settings from deploy/redis.conf (mounted) or its command line.
	settingsSeen := map[string]string{}
	cmd := list(redis, "command")
	for i := 0; i+1 < len(cmd); i++ {
		if a, _ := cmd[i].(string); strings.HasPrefix(a, "--") {
			settingsSeen[strings.TrimPrefix(a, "--")], _ = cmd[i+1].(string)
		}
	}
	mountsConf, hasVolume := false, false
	volumes, _ := get(c, "volumes").(map[string]any)
	for _, v := range list(redis, "volumes") {
		src, dst, _ := strings.Cut(v.(string), ":")
		if src == "./redis.conf" && slices.Contains(cmd, any(strings.TrimSuffix(dst, ":ro"))) {
			mountsConf = true
		}
		if _, named := volumes[src]; named && strings.HasPrefix(dst, "/data") {
			hasVolume = true
		}
	}
	if mountsConf {
		raw, err := os.ReadFile("redis.conf")
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range parseRedisConf(string(raw)) {
			if _, set := settingsSeen[k]; !set {
				settingsSeen[k] = v
			}
		}
	}
	for k, want := range redisConfChecks {
		if settingsSeen[k] != want {
			t.Errorf("compose redis: %s %q, want %q", k, settingsSeen[k], want)
		}
	}
	if !hasVolume {
		t.Error("compose redis has no named volume at /data")
	}

	// One image repository across compose and Kubernetes.
	repo := imageRepo(str(hik, "image"))
	for _, d := range ofKind(k8sDocs(t), "Deployment") {
		for _, ctr := range list(d.m, "spec", "template", "spec", "containers") {
			if got := imageRepo(str(ctr, "image")); got != repo {
				t.Errorf("Deployment image %s, compose image %s: one repository please", got, repo)
			}
		}
	}
	if rc := str(redis, "image"); imageRepo(rc) != imageRepo(redisImage(t)) {
		t.Errorf("Redis image %s in compose, %s in k8s", rc, redisImage(t))
	}
}

func redisImage(t *testing.T) string {
	sts := named(k8sDocs(t), "StatefulSet", "redis")
	return str(sts, "spec", "template", "spec", "containers", 0, "image")
}

// dockerStage is one FROM ... stage of the Dockerfile.
type dockerStage struct {
	image, name string
	lines       []string // instructions after FROM, continuation lines joined
}

func parseDockerfile(t *testing.T, path string) []dockerStage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stages []dockerStage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		fields := strings.Fields(line)
		if strings.EqualFold(fields[0], "FROM") {
			s := dockerStage{image: fields[1]}
			if len(fields) >= 4 && strings.EqualFold(fields[2], "AS") {
				s.name = fields[3]
			}
			stages = append(stages, s)
			return
		}
		if len(stages) == 0 {
			if !strings.EqualFold(fields[0], "ARG") {
				t.Errorf("Dockerfile: %q before the first FROM", line)
			}
			return
		}
		stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, line)
	}
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		flush()
	}
	flush()
	return stages
}

func instructions(s dockerStage, op string) []string {
	var out []string
	for _, l := range s.lines {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], op) {
			out = append(out, strings.TrimSpace(l[len(f[0]):]))
		}
	}
	return out
}

func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, "Dockerfile")
	if len(stages) < 2 {
		t.Fatalf("%d stages: want a build stage and a runtime stage", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]
	if !strings.HasPrefix(build.image, "golang:1.26") {
		t.Errorf("build stage FROM %s, want golang:1.26", build.image)
	}
	static := false
	for _, run := range instructions(build, "RUN") {
		if strings.Contains(run, "CGO_ENABLED=0") && strings.Contains(run, "go build") && strings.Contains(run, "./cmd/hikiai") {
			static = true
		}
	}
	if !static {
		t.Error("no RUN CGO_ENABLED=0 go build ... ./cmd/hikiai in the build stage")
	}
	if final.image != "scratch" && !(strings.HasPrefix(final.image, "gcr.io/distroless/static") && strings.HasSuffix(final.image, ":nonroot")) {
		t.Errorf("runtime stage FROM %s, want distroless static nonroot or scratch", final.image)
	}
	users := instructions(final, "USER")
	if len(users) == 0 {
		t.Fatal("the runtime stage has no USER")
	}
	if u := strings.Split(users[len(users)-1], ":")[0]; u == "root" || u == "0" {
		t.Errorf("runtime USER %s is root", u)
	}
	copied := false
	for _, c := range instructions(final, "COPY") {
		copied = copied || strings.Contains(c, "--from="+build.name) && strings.Contains(c, "hikiai")
	}
	if !copied {
		t.Errorf("the runtime stage does not COPY --from=%s the binary", build.name)
	}
	if len(instructions(final, "ENTRYPOINT")) == 0 {
		t.Error("no ENTRYPOINT")
	}
	// The port the image exposes is the one the Deployment probes.
	exposed := instructions(final, "EXPOSE")
	var ports []int
	for _, d := range ofKind(k8sDocs(t), "Deployment") {
		for _, p := range list(d.m, "spec", "template", "spec", "containers", 0, "ports") {
			n, _ := get(p, "containerPort").(int)
			ports = append(ports, n)
		}
	}
	if len(exposed) != 1 || len(ports) == 0 || exposed[0] != strconv.Itoa(ports[0]) {
		t.Errorf("EXPOSE %v, container ports %v", exposed, ports)
	}
	settings := configSettings(t)
	for _, env := range instructions(final, "ENV") {
		for _, m := range regexp.MustCompile(`(HIKIAI_[A-Z0-9_]+)=`).FindAllStringSubmatch(env, -1) {
			if !settings[m[1]] {
				t.Errorf("Dockerfile ENV %s is not a setting of cmd/hikiai/config.go", m[1])
			}
		}
	}
}
