# Cross-check client for cim/dcom: impacket (Debian's python3-impacket)
# reads classes from a WMI server over DCOM and prints what it got as
# JSON, normalized so that cimsh's reading of the same server can be
# compared with it. Written for cimsh's tests; impacket is only imported.
#
# stdin: {"user":..., "password":..., "host":"127.0.0.1",
#         "queries": [{"namespace": "root/cimv2", "class": "Win32_Service"}, ...]}
#        With "kerberos": true, "domain" is the realm and "host" the name
#        whose host/ service ticket is in the ticket cache (KRB5CCNAME);
#        "connect" is the address that name is reached at.
# stdout: {"results": [{"class":..., "error":..., "instances":[{name: {"type":..., "array":..., "value":...}}]}]}
import json
import socket
import struct
import sys

from impacket.dcerpc.v5.dcom import wmi
from impacket.dcerpc.v5.dcomrt import DCOMConnection
from impacket.dcerpc.v5.dtypes import NULL

_orig_get_value = wmi.ENCODED_VALUE.getValue.__func__
_T = wmi.CIM_TYPE_ENUM
_HEAP_TYPES = (_T.CIM_TYPE_STRING.value, _T.CIM_TYPE_DATETIME.value, _T.CIM_TYPE_REFERENCE.value,
               _T.CIM_TYPE_OBJECT.value, _T.CIM_TYPE_BOOLEAN.value)


def _get_value(cls, cim_type, entry, heap):
    # Three gaps of impacket 0.10's value decoder, each filled with
    # impacket's own structures and MS-WMIO's layout, everything else
    # left to impacket:
    base = cim_type & ~(wmi.CIM_ARRAY_FLAG | wmi.Inherited)
    array = cim_type & wmi.CIM_ARRAY_FLAG
    # - it slices the heap with every value-table entry before looking at
    #   the type, which fails for real32/real64 entries (floats);
    if isinstance(entry, float):
        return entry
    # - it takes a numeric value of 0xFFFFFFFF for a NULL heap reference
    #   (numbers are stored in the value table itself, MS-WMIO 2.2.26);
    if not array and base not in _HEAP_TYPES:
        return entry
    # - it decodes string arrays only: datetime and reference arrays come
    #   back as heap offsets. They are laid out as string arrays are
    #   (a count, then HeapStringRefs to EncodedStrings, MS-WMIO 2.2.69):
    #   follow each reference.
    if array and base in (_T.CIM_TYPE_DATETIME.value, _T.CIM_TYPE_REFERENCE.value) and entry != 0xffffffff:
        data = heap[entry:]
        (count,) = struct.unpack("<L", data[:4])
        refs = struct.unpack("<%dL" % count, data[4:4 + 4 * count])
        return [wmi.ENCODED_STRING(heap[r:])["Character"] for r in refs]
    return _orig_get_value(cls, cim_type, entry, heap)


wmi.ENCODED_VALUE.getValue = classmethod(_get_value)

def norm(prop):
    t = prop["type"]
    array = bool(t & wmi.CIM_ARRAY_FLAG)
    base = t & ~(wmi.CIM_ARRAY_FLAG | wmi.Inherited)
    stype = wmi.CIM_TYPE_TO_NAME[base]
    v = prop["value"]
    if v is not None:
        if base == wmi.CIM_TYPE_ENUM.CIM_TYPE_BOOLEAN.value:
            v = [x != 0 for x in v] if array else v == "True"
        elif base == wmi.CIM_TYPE_ENUM.CIM_TYPE_OBJECT.value:
            v = [embedded(x) for x in v] if array else embedded(v)
    return {"type": stype, "array": array, "value": v}


def embedded(unit):
    block = unit["ObjectBlock"]
    block.parseObject()
    cur = block.ctCurrent
    return {name: norm(p) for name, p in cur["values"].items()}


def reach(name, address):
    # impacket connects to the name it authenticates to; the test server
    # listens on one address of that name (IPv4 loopback), which the
    # name resolves to here, whatever else the system would return.
    resolve = socket.getaddrinfo

    def patched(host, *args, **kwargs):
        return resolve(address if host == name else host, *args, **kwargs)

    socket.getaddrinfo = patched


def main():
    req = json.load(sys.stdin)
    if req.get("kerberos"):
        reach(req["host"], req["connect"])
        dcom = DCOMConnection(req["host"], req["user"], "", req["domain"], "", "", "", oxidResolver=False, doKerberos=True)
    else:
        dcom = DCOMConnection(req["host"], req["user"], req["password"], "", "", "", "", oxidResolver=False)
    out = []
    try:
        iface = dcom.CoCreateInstanceEx(wmi.CLSID_WbemLevel1Login, wmi.IID_IWbemLevel1Login)
        login = wmi.IWbemLevel1Login(iface)
        services = {}
        for q in req["queries"]:
            ns = q["namespace"]
            if ns not in services:
                services[ns] = login.NTLMLogin("//./" + ns, NULL, NULL)
            res = {"namespace": ns, "class": q["class"], "instances": []}
            try:
                enum = services[ns].ExecQuery("SELECT * FROM " + q["class"])
                while True:
                    try:
                        obj = enum.Next(0xFFFFFFFF, 1)[0]
                    except Exception as e:  # impacket raises S_FALSE at the end
                        if str(e).find("S_FALSE") < 0:
                            raise
                        break
                    props = obj.getProperties()
                    res["instances"].append({name: norm(p) for name, p in props.items()})
                enum.RemRelease()
            except Exception as e:
                res["error"] = str(e)
            out.append(res)
        for s in services.values():
            s.RemRelease()
        login.RemRelease()
    finally:
        dcom.disconnect()
    json.dump({"results": out}, sys.stdout)


main()
