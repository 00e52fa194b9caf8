#!/usr/bin/python3
"""Independent WSDL oracle for soapbridge tests, built on python3-zeep.

Usage:
    /usr/bin/python3 test/zeep/inspect.py WSDL_PATH
    /usr/bin/python3 test/zeep/inspect.py --many WSDL_PATH...
    /usr/bin/python3 test/zeep/inspect.py --bench N WSDL_PATH

The first form prints one JSON object on stdout:
    {"ok": true, "operations": [{"service", "port", "operation",
                                 "soap_version": "1.1"|"1.2",
                                 "style": "document"|"rpc"}, ...]}
with the operations sorted, or {"ok": false, "error": "..."} when zeep cannot
load the WSDL. Only SOAP bindings are listed; HTTP GET/POST bindings are
skipped.

--many inspects each WSDL as the first form does, with a fresh Client for
each, in one interpreter (zeep is imported once, which is most of the time a
small WSDL takes), and prints one such JSON object a line, in the order of
the paths, each with a "path" member holding the path as given; a line is
written as soon as its WSDL is done.

--bench N loads the WSDL N times, each time with a fresh Client, and also
resolves every operation's input and output signature; it prints
{"ok": true, "seconds_per_load": x} (the median of the N loads) or
{"ok": false, "error": "..."}.

Loading is strictly offline: local paths and file:// URLs are read from disk;
any http(s) URL (a remote import or include) raises, so such a WSDL reports
ok=false instead of touching the network. The exit code is 0 whenever a JSON
result was printed, 2 on bad usage.
"""

import os
import sys

# This file is named inspect.py, which would shadow the standard library's
# inspect module (imported by attrs and lxml) because Python puts the
# script's own folder first on sys.path. Drop that entry before importing
# anything else.
_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != _HERE]

import json  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

import zeep  # noqa: E402
from zeep.transports import Transport  # noqa: E402
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding  # noqa: E402


class OfflineTransport(Transport):
    """A zeep Transport that reads local files and never uses the network."""

    def load(self, url):
        if not url:
            raise ValueError("No url given to load")
        parsed = urllib.parse.urlparse(url)
        scheme = parsed.scheme.lower()
        if scheme == "file":
            path = urllib.request.url2pathname(parsed.path)
        elif scheme in ("http", "https"):
            raise IOError("offline: refusing to fetch remote document %s" % url)
        elif len(scheme) > 1:
            # Anything else with a real scheme (ftp:, urn:, ...) is not local.
            raise IOError("offline: unsupported URL scheme in %s" % url)
        else:
            # A plain path; a one-letter "scheme" is a Windows drive letter.
            path = os.path.expanduser(url)
        with open(path, "rb") as fh:
            return fh.read()

    def _load_remote_data(self, url):  # belt and braces: never reached via load
        raise IOError("offline: refusing to fetch remote document %s" % url)

    def post(self, address, message, headers):
        raise IOError("offline: refusing to POST to %s" % address)

    def get(self, address, params, headers):
        raise IOError("offline: refusing to GET %s" % address)


def new_client(wsdl_path):
    settings = zeep.Settings(strict=False)
    return zeep.Client(wsdl_path, settings=settings, transport=OfflineTransport())


def soap_operations(client):
    """Yield (service, port, binding, soap_version, operation) for SOAP ports."""
    for service_name, service in client.wsdl.services.items():
        for port_name, port in service.ports.items():
            binding = port.binding
            if isinstance(binding, Soap12Binding):
                version = "1.2"
            elif isinstance(binding, Soap11Binding):
                version = "1.1"
            else:
                continue  # HTTP GET/POST or unknown binding
            for op_name, operation in binding._operations.items():
                yield service_name, port_name, version, op_name, operation


def inspect(wsdl_path):
    client = new_client(wsdl_path)
    ops = []
    for service, port, version, name, operation in soap_operations(client):
        ops.append(
            {
                "service": service,
                "port": port,
                "operation": name,
                "soap_version": version,
                "style": operation.style or "document",
            }
        )
    ops.sort(key=lambda o: (o["service"], o["port"], o["operation"]))
    return {"ok": True, "operations": ops}


def bench(wsdl_path, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client = new_client(wsdl_path)
        for _s, _p, _v, _n, operation in soap_operations(client):
            for msg, as_output in ((operation.input, False), (operation.output, True)):
                if msg is None:
                    continue
                try:
                    msg.signature(as_output=as_output)
                except Exception:  # signatures of odd schemas may fail; timing only
                    pass
        times.append(time.perf_counter() - start)
    return {"ok": True, "seconds_per_load": statistics.median(times)}


def usage():
    sys.stderr.write("usage: inspect.py [--bench N] WSDL_PATH | --many WSDL_PATH...\n")
    sys.exit(2)


def result_of(wsdl_path, n=0):
    """The JSON object printed for one WSDL."""
    if "://" not in wsdl_path:
        wsdl_path = os.path.abspath(wsdl_path)
    try:
        return bench(wsdl_path, n) if n else inspect(wsdl_path)
    except RecursionError as exc:
        return {"ok": False, "error": "RecursionError: %s" % exc}
    except Exception as exc:
        return {"ok": False, "error": "%s: %s" % (type(exc).__name__, exc)}


def main(argv):
    n = 0
    args = list(argv)
    if args and args[0] == "--many":
        if len(args) < 2:
            usage()
        logging.disable(logging.CRITICAL)
        for path in args[1:]:
            result = result_of(path)
            result["path"] = path
            sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
            sys.stdout.flush()
        return 0
    if args and args[0] == "--bench":
        if len(args) < 2:
            usage()
        try:
            n = int(args[1])
        except ValueError:
            usage()
        if n < 1:
            usage()
        args = args[2:]
    if len(args) != 1:
        usage()
    logging.disable(logging.CRITICAL)
    sys.stdout.write(json.dumps(result_of(args[0], n), sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
