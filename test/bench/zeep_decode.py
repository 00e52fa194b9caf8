#!/usr/bin/python3
"""Times python3-zeep decoding a SOAP response: the binding's process_reply
(lxml parse and zeep objects), as in notes/performance.md.

Usage: zeep_decode.py WSDL OPERATION ENVELOPE_FILE [RUNS]
Prints {"seconds": median, "bytes": size}.
"""
import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != _HERE]

import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import zeep  # noqa: E402
from zeep.transports import Transport  # noqa: E402


class Reply:
    def __init__(self, content):
        self.content = content
        self.status_code = 200
        self.headers = {"Content-Type": "text/xml; charset=utf-8"}
        self.encoding = "utf-8"


def main():
    wsdl, op_name, path = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    client = zeep.Client(wsdl, settings=zeep.Settings(strict=False, xml_huge_tree=True), transport=Transport())
    service = next(iter(client.wsdl.services.values()))
    port = next(iter(service.ports.values()))
    binding = port.binding
    op = binding._operations[op_name]
    with open(path, "rb") as fh:
        content = fh.read()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        binding.process_reply(client, op, Reply(content))
        times.append(time.perf_counter() - start)
    print(json.dumps({"seconds": statistics.median(times), "bytes": len(content)}))


main()
