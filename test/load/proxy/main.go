// Command proxy is the baseline of scripts/load.sh: a plain reverse proxy
// (net/http/httputil) that passes SOAP calls to the upstream unchanged. It
// shows what any HTTP hop in Go costs on the machine, next to what
// soapbridge costs. It is a test tool, not part of soapbridge.
//
//	go run ./test/load/proxy -addr 127.0.0.1:9091 -to http://127.0.0.1:9090
package main

import (
	"flag"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9091", "listen address")
	to := flag.String("to", "http://127.0.0.1:9090", "the upstream's base URL")
	flag.Parse()
	u, err := url.Parse(*to)
	if err != nil {
		log.Fatal(err)
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	p.ErrorLog = log.New(log.Writer(), "", 0)
	log.Fatal(http.ListenAndServe(*addr, p))
}
