package wsmantest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

// A server in the Windows dialect serving the fixture provider, asked
// for the Win32_LogicalDisk C: with a plain HTTP POST.
func ExampleStart() {
	s, err := wsmantest.Start(wsmantest.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	const get = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>` +
		`<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_LogicalDisk</w:ResourceURI>` +
		`<a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action><a:MessageID>uuid:1</a:MessageID>` +
		`<w:SelectorSet><w:Selector Name="DeviceID">C:</w:Selector></w:SelectorSet></s:Header><s:Body/></s:Envelope>`
	resp, err := http.Post(s.URL(), "application/soap+xml;charset=UTF-8", strings.NewReader(get))
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	i := strings.Index(string(body), "<p:FreeSpace>")
	fmt.Println(resp.StatusCode, string(body[i:i+37]))
	fmt.Println(s.Operations())
	// Output:
	// 200 <p:FreeSpace>9769496576</p:FreeSpace>
	// [Get]
}
