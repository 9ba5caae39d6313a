package main

// debianPython is the interpreter Debian's python3-winrm installs for.
const debianPython = "/usr/bin/python3"

// pywinrmScript enumerates a class through pywinrm's Protocol (its
// Basic transport, keep-alive session), Enumerate then Pull until
// EndOfSequence, parsing every reply with ElementTree and reading each
// instance's Name, as a script using pywinrm for WMI would. It prints
// the count; the password comes from the environment.
const pywinrmScript = `
import os, sys, uuid
import xml.etree.ElementTree as ET
from winrm.protocol import Protocol
endpoint, ns, cls, want = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
p = Protocol(endpoint, transport="basic", username="bench", password=os.environ["CIMSH_PASSWORD"],
             message_encryption="never")
S, N, W = "http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/ws/2004/09/enumeration", "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
URI = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/" + cls
def envelope(action, body):
    return ('<s:Envelope xmlns:s="%s" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:n="%s" xmlns:w="%s">'
            '<s:Header><a:To>%s</a:To><w:ResourceURI s:mustUnderstand="true">%s</w:ResourceURI>'
            '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>'
            '<a:Action s:mustUnderstand="true">%s/%s</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">614400</w:MaxEnvelopeSize>'
            '<a:MessageID>uuid:%s</a:MessageID><w:SelectorSet><w:Selector Name="__cimnamespace">%s</w:Selector></w:SelectorSet>'
            '</s:Header><s:Body>%s</s:Body></s:Envelope>') % (S, N, W, endpoint, URI, N, action, str(uuid.uuid4()).upper(), ns, body)
reply = p.send_message(envelope("Enumerate", '<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements>'
    '<w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode></n:Enumerate>'))
count, names = 0, 0
while True:
    resp = ET.fromstring(reply).find("{%s}Body" % S)[0]
    items = resp.find("{%s}Items" % W)
    if items is None:
        items = resp.find("{%s}Items" % N)
    for item in (items if items is not None else []):
        obj = item[0]
        name = obj.find("{%s}Name" % obj.tag[1:].split("}")[0])
        if name is not None and name.text:
            names += 1
        count += 1
    ctx = resp.find("{%s}EnumerationContext" % N)
    if resp.find("{%s}EndOfSequence" % W) is not None or resp.find("{%s}EndOfSequence" % N) is not None or ctx is None:
        break
    reply = p.send_message(envelope("Pull", '<n:Pull><n:EnumerationContext>%s</n:EnumerationContext><n:MaxElements>32000</n:MaxElements></n:Pull>' % ctx.text))
if count != want or names != want:
    sys.exit("pywinrm: %d instances, %d names, want %d" % (count, names, want))
print(count)
`
