package local

import (
	"testing"
	"time"
)

func TestDMIFromRecordedTree(t *testing.T) {
	p, err := newProvider(&collector{dmiRoot: "testdata/dmi"})
	if err != nil {
		t.Fatal(err)
	}
	bios := enumClass(t, p, "Win32_BIOS")
	if len(bios) != 1 {
		t.Fatalf("Win32_BIOS: %d instances, want 1", len(bios))
	}
	b := bios[0]
	for name, want := range map[string]string{
		"Manufacturer": "SeaBIOS", "SMBIOSBIOSVersion": "1.16.2-debian-1.16.2-1", "Name": "1.16.2-debian-1.16.2-1",
		"Version": "1.16.2-debian-1.16.2-1", "SerialNumber": "QM00001", "SoftwareElementID": "1.16.2-debian-1.16.2-1",
	} {
		if got := propStr(t, b, name); got != want {
			t.Errorf("Win32_BIOS.%s = %q, want %q", name, got, want)
		}
	}
	rd, _ := prop(t, b, "ReleaseDate").AsDatetime()
	if !rd.Time.Equal(time.Date(2014, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ReleaseDate = %v", rd.Time)
	}
	if propU(t, b, "SystemBiosMajorVersion") != 0 || propU(t, b, "SoftwareElementState") != 3 {
		t.Errorf("BIOS versions/state = %v %v", prop(t, b, "SystemBiosMajorVersion"), prop(t, b, "SoftwareElementState"))
	}

	csp := enumClass(t, p, "Win32_ComputerSystemProduct")
	if len(csp) != 1 {
		t.Fatalf("Win32_ComputerSystemProduct: %d instances", len(csp))
	}
	for name, want := range map[string]string{
		"Vendor": "QEMU", "Name": "Standard PC (Q35 + ICH9, 2009)", "Version": "pc-q35-8.2",
		"IdentifyingNumber": "QM00001", "UUID": "ec2f1a9e-7d3c-4a51-9b8e-2f6c0d4e5a11",
	} {
		if got := propStr(t, csp[0], name); got != want {
			t.Errorf("Win32_ComputerSystemProduct.%s = %q, want %q", name, got, want)
		}
	}
	cs := enumClass(t, p, "Win32_ComputerSystem")[0]
	if propStr(t, cs, "Manufacturer") != "QEMU" || propStr(t, cs, "Model") != "Standard PC (Q35 + ICH9, 2009)" {
		t.Errorf("Win32_ComputerSystem Manufacturer/Model = %q / %q", propStr(t, cs, "Manufacturer"), propStr(t, cs, "Model"))
	}
	if !prop(t, cs, "SystemFamily").IsNull() {
		t.Errorf("an empty product_family gave SystemFamily %v, want NULL", prop(t, cs, "SystemFamily"))
	}
}

// Without a DMI tree the classes are empty sets, not errors.
func TestDMIAbsent(t *testing.T) {
	p, err := newProvider(&collector{dmiRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"Win32_BIOS", "Win32_ComputerSystemProduct"} {
		if n := len(enumClass(t, p, c)); n != 0 {
			t.Errorf("%s without DMI: %d instances, want 0", c, n)
		}
	}
	// What DMI would tell stays NULL rather than invented.
	cs := enumClass(t, p, "Win32_ComputerSystem")[0]
	for _, name := range []string{"PCSystemType", "Manufacturer", "Model", "SystemFamily", "SystemSKUNumber"} {
		if v := prop(t, cs, name); !v.IsNull() {
			t.Errorf("Win32_ComputerSystem.%s without DMI = %v, want NULL", name, v)
		}
	}
}

func TestPCSystemType(t *testing.T) {
	for _, tt := range []struct {
		chassis string
		want    uint64
		ok      bool
	}{
		{"3", 1, true}, {"10", 2, true}, {"17", 4, true}, {"30", 8, true},
		{"1", 0, true}, {"2", 0, true}, {"", 0, false}, {"unknown", 0, false}, {"0", 0, false},
	} {
		if got, ok := pcSystemType(tt.chassis); got != tt.want || ok != tt.ok {
			t.Errorf("pcSystemType(%q) = %d %v, want %d %v", tt.chassis, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseBIOSDate(t *testing.T) {
	for in, want := range map[string]string{"04/01/2014": "2014-04-01", "12/31/99": "1999-12-31", "1/2/2020": "2020-01-02", "garbage": "0001-01-01"} {
		if got := parseBIOSDate(in).Format("2006-01-02"); got != want {
			t.Errorf("parseBIOSDate(%q) = %s, want %s", in, got, want)
		}
	}
}
