#!/usr/bin/python3
"""Builds request envelopes with python3-zeep, for soapbridge's differential
codec test. Reads JSON lines from stdin:
    {"wsdl": PATH, "service": S, "port": P, "operation": O, "args": {...}}
and writes one JSON line per request: {"ok": true, "xml": "..."} or
{"ok": false, "error": "..."}. The args follow soapbridge's JSON mapping;
"$value" becomes zeep's "_value_1". Decimals keep every digit. Offline.
An optional "positional" member lists positional arguments (the value of a
single simple-typed document part). An optional "headers" member holds SOAP header values keyed by part name
(zeep's _soapheaders).

    {"wsdl": PATH, "load": true}
loads a WSDL (once per process) and answers {"ok": true, "seconds": S,
"operations": [[service, port, operation], ...]} for its SOAP ports, or
{"ok": false, "error": "..."} when zeep cannot load it.
"""
import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != _HERE]

import decimal  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import zeep  # noqa: E402
from lxml import etree  # noqa: E402
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding  # noqa: E402

# This folder's inspect.py, loaded under another name: "import inspect"
# gives the standard library's module, which zeep has already imported.
_spec = importlib.util.spec_from_file_location("soapbridge_zeep_inspect", os.path.join(_HERE, "inspect.py"))
_inspect = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_inspect)
OfflineTransport = _inspect.OfflineTransport

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")
clients = {}


def client(path):
    """The zeep Client of a WSDL, loaded once; a failed load fails again."""
    if path not in clients:
        try:
            clients[path] = zeep.Client(path, settings=zeep.Settings(strict=False), transport=OfflineTransport())
        except BaseException as e:  # RecursionError too
            clients[path] = e
    if isinstance(clients[path], BaseException):
        raise clients[path]
    return clients[path]


def convert(v):
    if isinstance(v, dict):
        return {("_value_1" if k == "$value" else k): convert(x) for k, x in v.items()}
    if isinstance(v, list):
        return [convert(x) for x in v]
    return v


def main():
    for line in sys.stdin:
        req = json.loads(line, parse_float=decimal.Decimal)
        try:
            if req.get("load"):
                start = time.perf_counter()
                c = client(req["wsdl"])
                ops = []
                for sname, service in c.wsdl.services.items():
                    for pname, port in service.ports.items():
                        if isinstance(port.binding, (Soap11Binding, Soap12Binding)):
                            ops.extend([sname, pname, o] for o in port.binding._operations)
                out = {"ok": True, "seconds": time.perf_counter() - start, "operations": ops}
                sys.stdout.write(json.dumps(out) + "\n")
                sys.stdout.flush()
                continue
            c = client(req["wsdl"])
            svc = c.bind(req["service"], req["port"])
            args = convert(req["args"])
            if req.get("headers"):
                args["_soapheaders"] = convert(req["headers"])
            envelope = c.create_message(svc, req["operation"], *req.get("positional", []), **args)
            out = {"ok": True, "xml": etree.tostring(envelope, encoding="unicode")}
        except RecursionError as e:
            out = {"ok": False, "error": "RecursionError: %s" % e}
        except Exception as e:  # zeep refuses some inputs; reported, not fatal
            out = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


main()
