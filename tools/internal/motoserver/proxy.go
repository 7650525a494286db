package motoserver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// proxy stands between the tests' SDK clients and moto_server. Now and then
// moto's server resets a connection while its answer is on the way, which
// the SDK reports as "use of closed network connection" and, with the one
// attempt the tests allow, fails the test. The proxy gives the SDK a
// well-behaved Go server to keep connections alive with, reaches moto over
// a fresh connection per request, reads moto's whole answer before passing
// it on, and sends a request again when its connection failed. Every answer
// moto gives — an error or a 500 for what it lacks included — passes
// through unchanged, so no real failure is hidden. (A request moto carried
// out before the reset is carried out twice; the second answer, say
// EntityAlreadyExists, then fails the test visibly.)
type proxy struct {
	upstream string
	client   *http.Client
	retried  atomic.Int64
}

// proxyAttempts bounds the tries of one request.
const proxyAttempts = 3

func newProxy(upstream string) *proxy {
	return &proxy{upstream: upstream, client: &http.Client{
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
		// Redirects are the SDK's to follow, not the proxy's.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// serve runs p on a free loopback port; it returns the URL and a stop.
func serve(p *proxy) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: time.Minute}
	go srv.Serve(l)
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + l.Addr().String(), stop, nil
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "motoserver proxy: reading the request: "+err.Error(), http.StatusBadGateway)
		return
	}
	for attempt := 1; ; attempt++ {
		status, header, answer, err := p.forward(r, body)
		if err == nil {
			for k, vs := range header {
				if k != "Connection" && k != "Transfer-Encoding" && k != "Keep-Alive" {
					w.Header()[k] = vs
				}
			}
			w.WriteHeader(status)
			_, _ = w.Write(answer)
			return
		}
		if attempt == proxyAttempts || r.Context().Err() != nil {
			http.Error(w, "motoserver proxy: "+err.Error(), http.StatusBadGateway)
			return
		}
		p.retried.Add(1)
	}
}

// forward sends one try of r to moto and reads the whole answer.
func (p *proxy) forward(r *http.Request, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header = r.Header.Clone()
	// The signature covers the host the SDK signed.
	req.Host = r.Host
	req.ContentLength = int64(len(body))
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, errors.Join(errors.New("reading moto's answer"), err)
	}
	return resp.StatusCode, resp.Header, answer, nil
}
