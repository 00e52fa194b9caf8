// Command upstream is the fast SOAP upstream of scripts/load.sh: it answers
// every POST with the same GetItems response of the bundled inventory
// service (10 items), so that a load test measures soapbridge and not the
// upstream. It is a test tool, not part of soapbridge.
//
//	go run ./test/load/upstream -addr 127.0.0.1:9090
//	go run ./test/load/upstream -free-port   # prints a free port
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9090", "listen address")
	freePort := flag.Bool("free-port", false, "print a free loopback port and exit")
	flag.Parse()
	if *freePort {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
		l.Close()
		return
	}
	var items strings.Builder
	for i := range 10 {
		fmt.Fprintf(&items, `<item sku="A-%d"><id>%d</id><name>thing %d</name><price>9.99</price><tags>red</tags><tags>blue</tags><discontinued>false</discontinued></item>`, i, i, i)
	}
	answer := []byte(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>` +
		`<GetItemsResponse xmlns="urn:example:inventory">` + items.String() + `</GetItemsResponse>` +
		`</s:Body></s:Envelope>`)
	http.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(answer)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
