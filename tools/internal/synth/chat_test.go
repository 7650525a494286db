package synth

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeBoto3 stands in for boto3: its Secrets Manager client answers with
// the secret in $FAKE_SECRET, and only for the secret the function names.
const fakeBoto3 = `import os
class _SecretsManager:
    def get_secret_value(self, SecretId):
        if SecretId != os.environ["WEBHOOK_SECRET"]:
            raise Exception("asked for secret %r" % SecretId)
        return {"SecretString": os.environ["FAKE_SECRET"]}
def client(name):
    assert name == "secretsmanager", name
    return _SecretsManager()
`

// TestChatFunction runs the chat function's code with Python against a
// webhook server: approvals and outcomes arrive as each chat expects them,
// the URL comes from the secret (plain or JSON).
func TestChatFunction(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	var mu sync.Mutex
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &m) != nil {
			t.Errorf("webhook got %s %s %q", r.Method, r.Header.Get("Content-Type"), body)
		}
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer srv.Close()

	dir := t.TempDir()
	for name, body := range map[string]string{"index.py": chatCode, "boto3/__init__.py": fakeBoto3} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	approval := `{"approval":{"pipelineName":"gitops-app","stageName":"Deploy-prod","actionName":"ApproveExecute","customData":"Review change set gitops-app","approvalReviewLink":"https://console.example/review"}}`
	failed := `{"detailType":"CodePipeline Pipeline Execution State Change","source":"aws.codepipeline","detail":{"pipeline":"gitops-app","state":"FAILED"}}`
	cases := []struct {
		kind, secret, message string
		key, want             string
	}{
		{"slack", srv.URL, approval, "text", "Approval needed in pipeline gitops-app, stage Deploy-prod: Review change set gitops-app\nReview: https://console.example/review"},
		{"teams", `{"url": "` + srv.URL + `"}`, failed, "text", "Pipeline gitops-app: CodePipeline Pipeline Execution State Change FAILED"},
		{"chime", srv.URL + "\n", "plain words", "Content", "Deploy\nplain words"},
	}
	for _, tc := range cases {
		got = nil
		event, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{"Sns": map[string]any{"Subject": "Deploy", "Message": tc.message}}}})
		cmd := exec.Command(python, "-c", "import json, sys, index; index.handler(json.loads(sys.argv[1]), None)", string(event))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PYTHONPATH="+dir, "WEBHOOK_SECRET=gitops/chat/app", "CHAT_KIND="+tc.kind, "FAKE_SECRET="+tc.secret, "PYTHONDONTWRITEBYTECODE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", tc.kind, err, out)
		}
		if len(got) != 1 || got[0][tc.key] != tc.want {
			t.Errorf("%s: webhook got %v, want %s: %q", tc.kind, got, tc.key, tc.want)
		}
	}
	if strings.Contains(chatCode, "http://") || strings.Contains(chatCode, "https://") {
		t.Error("the chat code holds a URL")
	}
}
