package motoserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// upstream answers like moto: the first reset requests lose their
// connection mid-answer, then each request gets its body echoed, or a 500
// when it asks for one.
func upstream(t *testing.T, resets int32) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		if n <= resets {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
			buf.Flush()
			conn.Close()
			return
		}
		if r.URL.Path == "/fail" {
			http.Error(w, "NotImplemented", http.StatusInternalServerError)
			return
		}
		w.Header().Set("X-Host", r.Host)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func post(t *testing.T, url, body string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Post(url, "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data), resp.Header
}

func TestProxyRetriesALostConnection(t *testing.T) {
	up, calls := upstream(t, 1)
	p := newProxy(up.URL)
	url, stop, err := serve(p)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	code, body, header := post(t, url+"/", "Action=GetUser")
	if code != http.StatusOK || body != "Action=GetUser" || calls.Load() != 2 || p.retried.Load() != 1 {
		t.Errorf("got %d %q after %d calls, %d retried; want the body after one retry", code, body, calls.Load(), p.retried.Load())
	}
	if host := header.Get("X-Host"); host != strings.TrimPrefix(url, "http://") {
		t.Errorf("moto saw host %q, want the one the SDK signed, %s", host, url)
	}
}

func TestProxyPassesAnswersThrough(t *testing.T) {
	up, calls := upstream(t, 0)
	p := newProxy(up.URL)
	url, stop, err := serve(p)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if code, body, _ := post(t, url+"/fail", ""); code != http.StatusInternalServerError || !strings.Contains(body, "NotImplemented") || calls.Load() != 1 {
		t.Errorf("a 500 became %d %q after %d calls; want it passed through, untried again", code, body, calls.Load())
	}
}

func TestProxyGivesUpAfterItsAttempts(t *testing.T) {
	up, calls := upstream(t, proxyAttempts)
	url, stop, err := serve(newProxy(up.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if code, body, _ := post(t, url+"/", "x"); code != http.StatusBadGateway || !strings.Contains(body, "motoserver proxy:") || calls.Load() != proxyAttempts {
		t.Errorf("got %d %q after %d calls; want 502 after %d", code, body, calls.Load(), proxyAttempts)
	}
}
