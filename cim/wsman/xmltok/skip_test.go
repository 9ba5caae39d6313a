package xmltok

import "testing"

// skipPositions returns, for each of the first start tags of doc (a
// document that tokenizes), where the decoder stands after skipping
// that element with Skip (which reads every token) and with
// SkipContent.
func skipPositions(doc []byte, starts int) (slow, fast []int, ok bool) {
	d := NewDecoder(doc)
	n := 0
	for {
		k, err := d.Next()
		if err != nil {
			return nil, nil, false
		}
		if k == EOF {
			break
		}
		if k == StartTag {
			n++
		}
	}
	for i := 1; i <= n && i <= starts; i++ {
		for _, useFast := range []bool{false, true} {
			d := NewDecoder(doc)
			seen := 0
			for seen < i {
				k, _ := d.Next()
				if k == StartTag {
					seen++
				}
			}
			var err error
			if useFast {
				err = d.SkipContent()
			} else {
				err = d.Skip()
			}
			pos := d.pos
			if err != nil {
				pos = -1
			}
			if useFast {
				fast = append(fast, pos)
			} else {
				slow = append(slow, pos)
			}
		}
	}
	return slow, fast, true
}

// On a well-formed document, SkipContent (tags only) lands where Skip
// does.
func FuzzSkipContentLandsWhereSkipDoes(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	for _, s := range []string{
		`<r><items><items></items><x/></items><after/></r>`,
		`<r><p:items xmlns:p="u"><q:items xmlns:q="u"></q:items></p:items ><after/></r>`,
		`<r><items a="</items>"><i/></items><z/></r>`,
		`<r><items><![CDATA[</items>]]></items><z/></r>`,
		`<r><items><!-- </items> --><?p </items>?></items><z/></r>`,
		`<r><items>/items</items ><z/></r>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		slow, fast, ok := skipPositions(doc, 40)
		if !ok {
			return // SkipContent promises nothing on a malformed document
		}
		for i := range slow {
			if slow[i] != fast[i] {
				t.Fatalf("start tag %d: Skip ends at %d, SkipContent at %d\ninput: %q", i+1, slow[i], fast[i], doc)
			}
		}
	})
}
