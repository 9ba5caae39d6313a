# Cross-check client for cim/dcomtest: Samba's own DCE/RPC client
# (Debian's python3-samba: librpc, gensec's SPNEGO, NTLMSSP and Kerberos)
# binds to the test server with authentication and calls the DCE/RPC
# management interface and IObjectExporter::ServerAlive2, and prints what
# it got as JSON. Written for cimsh's tests; Samba is only imported.
#
# stdin: {"dir": temporary directory, "user":..., "password":..., "kerberos": bool,
#         "cases": [{"port": N, "flags": "spnego,seal", "alive2": true}, ...]}
# stdout: {"results": [{"flags":..., "listening": [status, result], "ids": [uuid...],
#          "alive2": hex stub, "error": text}]}
import json
import os
import sys

from samba import credentials, param
from samba.dcerpc import base, mgmt

IOBJECTEXPORTER = ("99fcfec4-5260-101b-bbcb-00aa0021347a", 0)


def loadparm(d, realm):
    # A configuration of our own in the test's directory, so that no
    # system smb.conf is read and nothing is written outside it.
    conf = os.path.join(d, "smb.conf")
    with open(conf, "w") as f:
        f.write("[global]\n")
        f.write("\tnetbios name = CIMSHTEST\n\tworkgroup = WORKGROUP\n\trealm = %s\n" % realm)
        for opt in ("private dir", "lock dir", "state directory", "cache directory", "ncalrpc dir", "pid directory"):
            f.write("\t%s = %s\n" % (opt, d))
    lp = param.LoadParm()
    lp.load(conf)
    if os.environ.get("CIMSH_SAMBA_DEBUG"):
        import samba
        samba.set_debug_level(int(os.environ["CIMSH_SAMBA_DEBUG"]))
        lp.set("log level", os.environ["CIMSH_SAMBA_DEBUG"])
    return lp


def main():
    req = json.load(sys.stdin)
    lp = loadparm(req["dir"], req.get("realm", ""))
    cr = credentials.Credentials()
    cr.guess(lp)
    cr.set_workstation("CIMSHTEST")
    if req.get("kerberos"):
        # The user's tickets from kinit's cache (KRB5CCNAME), under the
        # realm of KRB5_CONFIG.
        cr.set_kerberos_state(credentials.MUST_USE_KERBEROS)
        cr.set_named_ccache(os.environ["KRB5CCNAME"], credentials.SPECIFIED, lp)
    else:
        cr.set_username(req["user"])
        cr.set_password(req["password"])
        cr.set_domain(req.get("domain", ""))
        cr.set_kerberos_state(credentials.DONT_USE_KERBEROS)
    out = []
    for case in req["cases"]:
        host = case.get("host", "127.0.0.1")
        binding = "ncacn_ip_tcp:%s[%d,%s]" % (host, case["port"], case["flags"])
        res = {"flags": case["flags"], "port": case["port"]}
        try:
            m = mgmt.mgmt(binding, lp, cr)
            res["listening"] = list(m.is_server_listening())
            ids = m.inq_if_ids()
            res["ids"] = sorted(str(x.id.uuid) for x in ids.if_id)
            if case.get("alive2"):
                c = base.ClientConnection(binding, IOBJECTEXPORTER, lp, cr, basis_connection=m)
                res["alive2"] = c.request(5, b"").hex()
        except Exception as e:
            res["error"] = str(e)
        out.append(res)
    json.dump({"results": out}, sys.stdout)


main()
