package xmltok

import (
	"strings"
	"testing"
)

// skipPositions returns, for each of the first start tags of doc (a
// document that tokenizes), where the decoder stands after skipping
// that element with Skip (which reads every token), with SkipContent and
// with SkipFromEnd (-1 where it declined), and where the last element at
// the same depth with the same name ends (lastSlow).
func skipPositions(doc []byte, starts int) (slow, fast, fromEnd, lastSlow []int, ok bool) {
	d := NewDecoder(doc)
	n := 0
	for {
		k, err := d.Next()
		if err != nil {
			return nil, nil, nil, nil, false
		}
		if k == EOF {
			break
		}
		if k == StartTag {
			n++
		}
	}
	open := func(i int) *Decoder {
		d := NewDecoder(doc)
		seen := 0
		for seen < i {
			k, _ := d.Next()
			if k == StartTag {
				seen++
			}
		}
		return d
	}
	for i := 1; i <= n && i <= starts; i++ {
		d := open(i)
		if err := d.Skip(); err != nil {
			slow = append(slow, -1)
		} else {
			slow = append(slow, d.pos)
		}
		d = open(i)
		if err := d.SkipContent(); err != nil {
			fast = append(fast, -1)
		} else {
			fast = append(fast, d.pos)
		}
		// Where the last element at this depth with this name ends.
		d = open(i)
		level, name := len(d.stack), string(d.stack[len(d.stack)-1].qname(d.b))
		last := -1
		for {
			k, err := d.Next()
			if err != nil || k == EOF {
				break
			}
			if k == EndTag && len(d.stack) == level-1 && string(d.b[d.qStart:d.qEnd]) == name {
				last = d.pos
			}
		}
		lastSlow = append(lastSlow, last)
		d = open(i)
		from := d.pos
		if _, ok := d.SkipFromEnd(); ok {
			fromEnd = append(fromEnd, d.pos)
		} else if d.pos != from {
			fromEnd = append(fromEnd, -2) // declined, yet moved
		} else {
			fromEnd = append(fromEnd, -1)
		}
	}
	return slow, fast, fromEnd, lastSlow, true
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
		// The tails SkipContentFromEnd walks back over, and those it
		// leaves to SkipContent.
		`<r><items><i>1</i></items><ctx a="x>y" b='<'>t&amp;u</ctx><eos/></r>` + "\n",
		`<r><items><i/></items><ctx>a>b</ctx></r>`,
		`<r><items><i/></items ><!-- </items> --></r>`,
		`<r><items><i/></items><?pi </items>?></r>`,
		`<r><items><i/></items><x><![CDATA[</items>]]></x></r>`,
		`<r><items><items></items></items></r>`,
		`<r><items/><items><i/></items></r>`,
		`<r><items><i/></items></r><!-- c -->`,
		`<r><items><i/></items><p:items xmlns:p="u"/></r>`,
		`<r xmlns:p="u"><p:items><i/></p:items><p:items/></r>`,
		`<r><items><i/></items><x></x ><y a = "1" /></r>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		slow, fast, fromEnd, lastSlow, ok := skipPositions(doc, 40)
		if !ok {
			return // SkipContent promises nothing on a malformed document
		}
		for i := range slow {
			if slow[i] != fast[i] {
				t.Fatalf("start tag %d: Skip ends at %d, SkipContent at %d\ninput: %q", i+1, slow[i], fast[i], doc)
			}
			if fromEnd[i] != -1 && fromEnd[i] != lastSlow[i] {
				t.Fatalf("start tag %d: the last namesake at its depth ends at %d, SkipFromEnd at %d\ninput: %q", i+1, lastSlow[i], fromEnd[i], doc)
			}
		}
	})
}

// SkipFromEnd reads the tails of replies in the shapes servers send (it
// declining everywhere would pass the test above).
func TestSkipFromEndReadsReplyTails(t *testing.T) {
	for i, doc := range generated()[:3] {
		var want string
		for _, skipFromEnd := range []bool{false, true} {
			d := NewDecoder(doc)
			for {
				k, err := d.Next()
				if err != nil || k == EOF {
					t.Fatalf("reply %d: no Items (%v)", i, err)
				}
				if k == StartTag && string(d.Local()) == "Items" {
					break
				}
			}
			if skipFromEnd {
				child, ok := d.SkipFromEnd()
				if !ok || !child {
					t.Fatalf("reply %d: SkipFromEnd = %v, %v", i, child, ok)
				}
			} else if err := d.Skip(); err != nil {
				t.Fatal(err)
			}
			var rest []string
			for {
				k, err := d.Next()
				if err != nil {
					t.Fatalf("reply %d: after the items: %v", i, err)
				}
				if k == EOF {
					break
				}
				rest = append(rest, k.String()+":"+string(d.Local()))
			}
			if got := strings.Join(rest, " "); !skipFromEnd {
				want = got
			} else if got != want || len(rest) < 3 {
				t.Fatalf("reply %d: after the items, skipped from the end: %s; skipped: %s", i, got, want)
			}
		}
	}
}
